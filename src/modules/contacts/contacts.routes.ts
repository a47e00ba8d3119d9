import { createRouter } from "../../lib/router";

export const contactsRouter = createRouter();
