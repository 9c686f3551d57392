// The frame of every page: the navigation (with the not-yet-built Usage entry shown disabled) and the page itself.
import { NavLink, Outlet } from "react-router";
import { useSession } from "../api/session.js";
import { Logo } from "./logo.js";

const LINKS = [
  { to: "/", label: "Explore", end: true },
  { to: "/predictions", label: "Predictions" },
  { to: "/deployments", label: "Deployments" },
  { to: "/account", label: "Account" },
];

export function Layout() {
  const { account, signOut } = useSession();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <NavLink to="/" className="brand" aria-label="Ferry home">
          <Logo /> Ferry
        </NavLink>
        <nav aria-label="Main">
          <ul>
            {LINKS.map((link) => (
              <li key={link.to}>
                <NavLink to={link.to} end={link.end}>
                  {link.label}
                </NavLink>
              </li>
            ))}
            <li>
              <span className="nav-disabled" aria-disabled="true" title="Usage is coming soon">
                Usage
              </span>
            </li>
          </ul>
        </nav>
        {account && (
          <div className="who">
            <span className="muted">{account.username}</span>
            <button type="button" className="small" onClick={() => void signOut()}>
              Sign out
            </button>
          </div>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
