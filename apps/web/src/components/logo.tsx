// Ferry's mark: a boat on a wave (inline SVG, so no font or request is needed for it).
export function Logo() {
  return (
    <svg viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="8" fill="var(--accent)" />
      <path d="M7 18h18l-3 5H10z M15 8v9h2V8z M17 10l6 6h-6z" fill="var(--accent-text)" />
    </svg>
  );
}
