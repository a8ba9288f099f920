// Dark mode follows the OS until the user picks one; the pick is remembered per browser.
import { useEffect, useState } from "preact/hooks";

export type Theme = "light" | "dark";
const KEY = "grimoire.theme";

function osTheme(): Theme {
  return window.matchMedia?.("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

function storedTheme(): Theme | null {
  const value = localStorage.getItem(KEY);
  return value === "light" || value === "dark" ? value : null;
}

export function useTheme(): [Theme, () => void] {
  const [chosen, setChosen] = useState<Theme | null>(storedTheme);
  const [os, setOs] = useState<Theme>(osTheme);
  useEffect(() => {
    const query = window.matchMedia?.("(prefers-color-scheme: dark)");
    const follow = () => setOs(osTheme());
    query?.addEventListener("change", follow);
    return () => query?.removeEventListener("change", follow);
  }, []);
  const theme = chosen ?? os;
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  const toggle = () => {
    const next: Theme = theme === "dark" ? "light" : "dark";
    localStorage.setItem(KEY, next);
    setChosen(next);
  };
  return [theme, toggle];
}
