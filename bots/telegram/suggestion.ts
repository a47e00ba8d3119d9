// How the Qualifier's latest suggestion reads in Telegram: shown on notifications and offered
// first in the Qualify menu (the service is shared with the other bots).
import type { AiSuggestion } from "../../src/modules/qualification/classification.service";

export const suggestionText = (s: AiSuggestion) => `${s.kindKey} · ${Math.round(s.confidence * 100)}%`;
