// Dark mode preference, kept in the browser (localStorage) so it survives reloads and sign-ins.
const key = "portal.darkMode";
export function getDarkMode() {
  const v = localStorage.getItem(key);
  return v === null ? null : v === "true";
}
export function setDarkMode(on) {
  localStorage.setItem(key, on ? "true" : "false");
}
