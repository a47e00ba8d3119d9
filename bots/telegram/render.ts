// Rep-action answers drawn for Telegram: neutral buttons become inline keyboards whose callback
// data is the button's `code:args` payload (well inside Telegram's 64 bytes).
import { InlineKeyboard } from "grammy";
import { encodeButton, type Keyboard } from "../rep-actions";

export function inlineKeyboard(rows: Keyboard): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  rows.forEach((row, i) => {
    if (i > 0) keyboard.row();
    for (const b of row) keyboard.text(b.label, encodeButton(b));
  });
  return keyboard;
}
