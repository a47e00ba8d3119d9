export * from "./channels";
export * from "./contacts";
export * from "./conversations";
export * from "./events";
export * from "./jobs";
export * from "./keys";
export * from "./pipelines";
export * from "./workspaces";
