// Run colours: distinct on light and dark backgrounds, the same run keeps its colour across
// every chart of a page (it is picked by the run's position in the page's run list).
const COLOURS = [
  "#2f6fde",
  "#e8590c",
  "#2b8a3e",
  "#c2255c",
  "#7048e8",
  "#0c8599",
  "#f08c00",
  "#5c940d",
  "#a61e4d",
  "#364fc7",
];

export function colourOf(index: number): string {
  return COLOURS[index % COLOURS.length];
}

// Axis and grid colours follow the theme's variables, read when a chart is drawn.
export function themeColour(variable: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(variable).trim();
  return value || fallback;
}
