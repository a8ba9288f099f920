// What a preview of a file shows, decided from its name (the store keeps no content types).

export type PreviewKind = "mlmodel" | "image" | "json" | "yaml" | "table" | "html" | "text" | "none";

const TEXT = new Set([
  "txt", "log", "md", "rst", "py", "r", "sql", "sh", "toml", "ini", "cfg", "conf", "out", "err",
  "ipynb", "xml", "js", "ts", "java", "scala", "go", "rs", "c", "h", "cpp", "env", "requirements",
]);
const TEXT_NAMES = new Set(["MLproject", "Dockerfile", "LICENSE", "README", "requirements.txt"]);
const IMAGES = new Set(["png", "jpg", "jpeg", "gif", "webp", "bmp"]);

export function previewKind(path: string): PreviewKind {
  const name = path.split("/").pop() ?? "";
  if (name === "MLmodel") return "mlmodel";
  if (TEXT_NAMES.has(name)) return "text";
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return "text"; // logs and notes often have no extension; the bytes decide nothing here
  const extension = name.slice(dot + 1).toLowerCase();
  if (IMAGES.has(extension)) return "image";
  if (extension === "json") return "json";
  if (extension === "yaml" || extension === "yml") return "yaml";
  if (extension === "csv" || extension === "tsv") return "table";
  if (extension === "html" || extension === "htm") return "html";
  if (TEXT.has(extension)) return "text";
  return "none";
}

// How much of a file a preview reads: enough for any log's head and any small table, never
// a whole multi-gigabyte file. Images are shown whole, so they have a larger cap of their own.
export const TEXT_CAP = 512 * 1024;
export const IMAGE_CAP = 20 * 1024 * 1024;
