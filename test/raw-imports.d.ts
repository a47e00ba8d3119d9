// Raw RFC 822 fixtures, imported as text (Vite's ?raw).
declare module "*.eml?raw" {
  const content: string;
  export default content;
}
