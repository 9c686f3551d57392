// Pages and their paths. `/p/:id` matches a prediction's `urls.web`; `/:owner/:name` a model's `url`.
import { createBrowserRouter, Link, RouterProvider } from "react-router";
import { SessionProvider, useSession } from "./api/session.js";
import { Layout } from "./components/layout.js";
import { AccountPage } from "./pages/account.js";
import { DeploymentPage } from "./pages/deployment.js";
import { NewDeploymentPage } from "./pages/deployment-form.js";
import { DeploymentsPage } from "./pages/deployments.js";
import { ExplorePage } from "./pages/explore.js";
import { ModelPage } from "./pages/model.js";
import { PredictionPage } from "./pages/prediction.js";
import { PredictionsPage } from "./pages/predictions.js";
import { SignInPage } from "./pages/sign-in.js";

const router = createBrowserRouter([
  {
    element: <Layout />,
    children: [
      { path: "/", element: <ExplorePage /> },
      { path: "/predictions", element: <PredictionsPage /> },
      { path: "/p/:id", element: <PredictionPage /> },
      { path: "/deployments", element: <DeploymentsPage /> },
      { path: "/deployments/new", element: <NewDeploymentPage /> },
      { path: "/deployments/:owner/:name", element: <DeploymentPage /> },
      { path: "/account", element: <AccountPage /> },
      { path: "/:owner/:name", element: <ModelPage /> },
      { path: "*", element: <NotFound /> },
    ],
  },
]);

function NotFound() {
  return (
    <div className="page">
      <h1>Page not found</h1>
      <p>
        <Link to="/">Back to the models</Link>
      </p>
    </div>
  );
}

function Gate() {
  const { account } = useSession();
  if (account === undefined) {
    return (
      <p className="muted boot" role="status">
        Loading…
      </p>
    );
  }
  if (account === null) return <SignInPage />;
  return <RouterProvider router={router} />;
}

export function App() {
  return (
    <SessionProvider>
      <Gate />
    </SessionProvider>
  );
}
