// CSV samples are imported as text (`with { type: "text" }`) so the compiled binary embeds them.
declare module "*.csv" {
  const text: string;
  export default text;
}
