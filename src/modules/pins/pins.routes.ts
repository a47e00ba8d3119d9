import { createRouter } from "../../lib/router";

export const pinsRouter = createRouter();
