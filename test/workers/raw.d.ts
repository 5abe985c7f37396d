// Files the tests hold the code to (docs/api.md's tables, wrangler.toml), imported as text by Vite.
declare module "*.md?raw" {
  const text: string;
  export default text;
}
declare module "*.toml?raw" {
  const text: string;
  export default text;
}
declare module "*.vtt?raw" {
  const text: string;
  export default text;
}
declare module "*.srt?raw" {
  const text: string;
  export default text;
}
