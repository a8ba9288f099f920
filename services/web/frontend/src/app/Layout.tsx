import type { ComponentChildren } from "preact";
import { links } from "./routes";
import { useAuth } from "./auth/AuthContext";
import { useTheme } from "./theme";
import { AdminNav } from "../pages/admin/shared";

function Banner() {
  const auth = useAuth();
  if (auth.state === "off") {
    return (
      <div class="banner banner-warn" role="status">
        Authentication is off: anyone who can reach this server can read and change everything.
      </div>
    );
  }
  if (auth.state === "error") {
    return (
      <div class="banner banner-error" role="alert">
        Could not tell who you are: {auth.message}
      </div>
    );
  }
  return null;
}

function Who() {
  const auth = useAuth();
  if (auth.state !== "signed-in") return null;
  return (
    <a class="who" href="#/me" title={auth.me.groups.join(", ")}>
      {auth.me.name}
      {auth.me.is_admin ? " (admin)" : ""}
    </a>
  );
}

export function Layout({ children }: { children: ComponentChildren }) {
  const [theme, toggleTheme] = useTheme();
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => {
        e.preventDefault();
        document.getElementById("main")?.focus();
      }}>
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href={links.experiments()}>
          Grimoire
        </a>
        <nav aria-label="Main">
          <a href={links.experiments()}>Experiments</a>
          <a href="#/models">Models</a>
          <AdminNav />
        </nav>
        <span class="spacer" />
        <Who />
        <button
          type="button"
          class="ghost"
          onClick={toggleTheme}
          aria-label={theme === "dark" ? "Switch to light mode" : "Switch to dark mode"}
        >
          {theme === "dark" ? "☀" : "☾"}
        </button>
      </header>
      <Banner />
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
