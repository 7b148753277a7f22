// Dashboard styles are imported as text (`with { type: "text" }`) so `bun build --compile`
// embeds them in the executable: the page works offline, with no CDN.
declare module "*.css" {
  const text: string;
  export default text;
}
