// Light, dark, or as the system says; remembered on this device.
export type Theme = "light" | "dark" | "system";

const KEY = "finsight-theme";

export function storedTheme(): Theme {
  const value = localStorage.getItem(KEY);
  return value === "light" || value === "dark" ? value : "system";
}

export function applyTheme(theme: Theme) {
  if (theme === "system") {
    localStorage.removeItem(KEY);
    delete document.documentElement.dataset.theme;
  } else {
    localStorage.setItem(KEY, theme);
    document.documentElement.dataset.theme = theme;
  }
}

/** Whether the page is dark now (for charts, which need colours, not CSS). */
export function isDark(): boolean {
  const set = document.documentElement.dataset.theme;
  if (set) return set === "dark";
  return window.matchMedia?.("(prefers-color-scheme: dark)").matches ?? false;
}
