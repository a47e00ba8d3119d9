import { describe, expect, it } from "vitest";
import { classifyOffline, CONFIDENCE_FLOOR, DEFAULT_KINDS, offlineQualifier } from "../src/qualifier";
import { normalize, tokenize } from "../src/qualifier/text";

const ALL = new Set<string>(DEFAULT_KINDS);
const kindOf = (...messages: string[]) => classifyOffline(messages, ALL).kindKey;

/** Two short cases per language and kind, in the words people use. */
const CASES: Record<string, Record<string, string[][]>> = {
  en: {
    hot: [["Please send the contract for 30 seats, we want to sign this week."], ["Budget is approved.", "When can we start?"]],
    warm: [["Could you tell me more about how the integration works?"], ["Interesting — do you have a brochure?"]],
    cold: [["Not a priority right now, maybe next year."], ["We just renewed with another provider, keep me posted."]],
    customer: [["My order #48120 still hasn't arrived."], ["We can't log in to our account since this morning."]],
    not_a_fit: [["Wrong number."], ["Not interested, remove me from your list."]],
    spam: [["Earn $5,000 a week with bitcoin! Join now: http://bit.ly/rich-fast"], ["Congratulations, you have won a prize! Claim it at https://win-now.top"]],
  },
  es: {
    hot: [["Necesitamos presupuesto para 20 licencias, queremos firmar esta semana."], ["¿Cuándo podemos empezar? La dirección ya lo aprobó."]],
    warm: [["Me interesa, ¿cómo funciona la integración con WhatsApp?"], ["¿Tienen un catálogo que me puedan enviar?"]],
    cold: [["Ahora mismo no es prioridad, quizás el año que viene."], ["No tenemos presupuesto este año."]],
    customer: [["Mi pedido 10293 no llegó."], ["Desde la actualización no funciona la exportación, somos clientes desde hace años."]],
    not_a_fit: [["No me interesa, no me escriban más."], ["Número equivocado."]],
    spam: [["Gana dinero con criptomonedas, plazas limitadas: http://bit.ly/cripto"], ["¡Felicidades! Ha ganado un premio. Reclámelo aquí: https://premio.top"]],
  },
  pt: {
    hot: [["Preciso de um orçamento para 20 licenças, fechamos essa semana."], ["Me manda o contrato que a gente assina hoje."]],
    warm: [["Tenho interesse, como funciona a integração?"], ["Gostaria de saber mais sobre o sistema de vocês."]],
    cold: [["Agora não é prioridade, talvez no ano que vem."], ["Não temos verba este ano."]],
    customer: [["Meu pedido 88123 ainda não chegou."], ["Não estamos conseguindo acessar a conta, somos clientes há 2 anos."]],
    not_a_fit: [["Não tenho interesse, não me mandem mais mensagens."], ["Número errado."]],
    spam: [["Ganhe R$ 5.000 por semana com bitcoin! Vagas limitadas: http://bit.ly/ganhe"], ["Parabéns! Você foi sorteado. Resgate aqui: https://premio-pix.top"]],
  },
  de: {
    hot: [["Bitte schicken Sie uns ein Angebot für 35 Lizenzen, wir wollen diese Woche unterschreiben."], ["Das Budget ist freigegeben. Ab wann können wir loslegen?"]],
    warm: [["Wie funktioniert die Anbindung an SAP? Haben Sie Infomaterial?"], ["Klingt interessant, ich würde gern mehr erfahren."]],
    cold: [["Das hat gerade keine Priorität, vielleicht nächstes Jahr."], ["Dieses Jahr ist kein Budget da."]],
    customer: [["Meine Bestellung 30442 ist nicht angekommen."], ["Seit dem Update funktioniert der Export nicht mehr, Kundennummer 1002."]],
    not_a_fit: [["Kein Interesse, bitte aus dem Verteiler nehmen."], ["Falsche Nummer."]],
    spam: [["Verdienen Sie 5.000 € pro Woche mit Bitcoin! Hier klicken: http://bit.ly/krypto"], ["Herzlichen Glückwunsch! Sie haben gewonnen: https://gewinn.top"]],
  },
  fr: {
    hot: [["Pouvez-vous nous envoyer un devis pour 18 postes ? On signe cette semaine."], ["La direction a validé, on peut démarrer quand ?"]],
    warm: [["Comment fonctionne la synchronisation avec Outlook ?"], ["Ça m'intéresse, j'aimerais en savoir plus."]],
    cold: [["Ce n'est pas une priorité, peut-être l'an prochain."], ["Pas de budget cette année."]],
    customer: [["Ma commande n° 60318 n'est pas arrivée."], ["Impossible de se connecter à notre compte depuis ce matin."]],
    not_a_fit: [["Pas intéressé, merci de me retirer de votre liste."], ["Vous vous êtes trompé de numéro."]],
    spam: [["Gagnez 4 000 € par mois grâce à la crypto ! Cliquez : http://bit.ly/crypto"], ["Félicitations ! Vous avez gagné une carte cadeau : https://cadeau.top"]],
  },
  ru: {
    hot: [["Пришлите коммерческое предложение на 30 лицензий, подпишем договор на этой неделе."], ["Бюджет утверждён. Когда можем начать?"]],
    warm: [["Расскажите подробнее, как работает интеграция с 1С?"], ["Интересно, есть презентация?"]],
    cold: [["Сейчас это не приоритет, может быть в следующем году."], ["В этом году бюджета нет."]],
    customer: [["Мой заказ № 51207 до сих пор не пришёл."], ["С утра не можем войти в аккаунт, номер обращения 3391."]],
    not_a_fit: [["Не интересно, удалите меня из рассылки."], ["Вы ошиблись номером."]],
    spam: [["Зарабатывай на криптовалюте от 300 000 ₽! Жми: http://bit.ly/dohod"], ["Поздравляем! Вы выиграли приз: https://priz.top"]],
  },
};

describe("the offline classifier", () => {
  for (const [language, kinds] of Object.entries(CASES)) {
    it(`classifies each kind in ${language}`, () => {
      for (const [kind, conversations] of Object.entries(kinds)) {
        for (const messages of conversations) expect(kindOf(...messages), `${language}: ${messages.join(" / ")}`).toBe(kind);
      }
    });
  }

  it("is deterministic: the same conversation always gets the same answer", async () => {
    const conversations = Object.values(CASES).flatMap((kinds) => Object.values(kinds).flat());
    const first = conversations.map((messages) => classifyOffline(messages, ALL));
    for (let round = 0; round < 3; round++) {
      expect(conversations.map((messages) => classifyOffline([...messages], new Set(DEFAULT_KINDS)))).toEqual(first);
    }
    const input = { messages: [{ authorKind: "contact" as const, body: "Send the quote for 20 seats today" }], kinds: DEFAULT_KINDS.map((key) => ({ key, label: key })) };
    expect(await offlineQualifier.classify(input)).toEqual(await offlineQualifier.classify(structuredClone(input)));
  });

  it("reads negation: what a 'not' reaches does not count as interest", () => {
    expect(kindOf("I'm not interested in a demo.")).toBe("not_a_fit");
    expect(kindOf("I don't need another demo, just send the contract for 20 seats.")).toBe("hot");
    expect(kindOf("Just browsing, not looking to buy anything.")).toBe("cold");
    // The interest cue alone counts; negated, it does not.
    expect(kindOf("We'd like a demo")).toBe("warm");
    for (const negated of ["We don't want a demo", "No quiero ninguna demo", "Não quero demonstração", "Eine Demo brauchen wir nicht", "Je ne veux pas de démo", "Демо нам не нужно"]) {
      expect(kindOf(negated), negated).not.toBe("warm");
    }
    // A negation stops at the end of its clause.
    expect(kindOf("No problem at all, please send the quote today")).toBe("hot");
    expect(kindOf("We don't have much time, but send the contract for 10 seats")).toBe("hot");
  });

  it("ignores accents and case, and reads through typos", () => {
    expect(normalize("NÃO TENHO INTERESSE")).toBe(normalize("nao tenho interesse"));
    expect(tokenize("Ёлка, ÜBER Straße!")).toEqual(["елка", "|", "uber", "strasse"]);
    for (const text of ["NÃO TENHO INTERESSE", "nao tenho interesse", "Não tenho interesse"]) expect(kindOf(text)).toBe("not_a_fit");
    expect(kindOf("KEIN INTERESSE")).toBe(kindOf("kein interesse"));
    expect(kindOf("hey, whats the diference between the plans? intrested")).toBe("warm");
    // A consonant typo is not forgiven: "contato" (contact) is not "contrato" (contract).
    expect(kindOf("Não entrem mais em contato")).not.toBe("hot");
  });

  it("never picks a kind the workspace lacks, nor one without cues, and records nothing below the floor", () => {
    const text = ["Please send the contract for 30 seats, we want to sign this week."];
    expect(classifyOffline(text, new Set(["vip", "partner"])).kindKey).toBeNull();
    expect(classifyOffline(text, new Set(["vip", "warm", "cold"])).kindKey).not.toBe("vip");
    expect(classifyOffline(text, new Set(DEFAULT_KINDS.filter((k) => k !== "hot"))).kindKey).not.toBe("hot");
    // A greeting says nothing about the kind: the model is unsure and nothing is recorded.
    const weak = classifyOffline(["hello"], ALL);
    expect(weak.kindKey).toBeNull();
    expect(weak.confidence).toBeLessThan(CONFIDENCE_FLOOR);
    expect(classifyOffline([], ALL)).toEqual({ kindKey: null, confidence: 0, reasons: [] });
    const mixed = classifyOffline(["interesting", "maybe later"], ALL);
    if (mixed.kindKey === null) expect(mixed.confidence).toBeLessThan(CONFIDENCE_FLOOR);
    else expect(mixed.confidence).toBeGreaterThanOrEqual(CONFIDENCE_FLOOR);
  });

  it("reads only what the contact wrote, and says which cues decided", async () => {
    const kinds = DEFAULT_KINDS.map((key) => ({ key, label: key }));
    const answer = await offlineQualifier.classify({
      kinds,
      messages: [
        { authorKind: "user", body: "Shall I send you the contract for 50 seats today?" },
        { authorKind: "contact", body: "Not interested, please remove me from your list." },
      ],
    });
    expect(answer).toMatchObject({ kindKey: "not_a_fit", classifier: "offline" });
    // The words that weighed most, a negated one as "not …", and the cue phrases that matched.
    expect(answer.reasons).toEqual(expect.arrayContaining(["not interested", 'cues "not interested", "remove me"']));
    expect(answer.reasons.length).toBeLessThanOrEqual(5);
    // The rep's "contract for 50 seats" is not the contact's: nothing of it is a reason.
    expect(answer.reasons.join(" ")).not.toMatch(/contract|seats/);
    expect(answer.fallback).toBeUndefined();
  });

  it("names a reason whenever it chooses a kind", () => {
    for (const kinds of Object.values(CASES)) {
      for (const messages of Object.values(kinds).flat()) {
        const answer = classifyOffline(messages, ALL);
        if (answer.kindKey !== null) expect(answer.reasons.length, messages.join(" / ")).toBeGreaterThan(0);
      }
    }
  });

  it("weighs the latest message more: a contact who changes their mind", () => {
    expect(kindOf("Could you tell me more about the pricing?", "Actually, not interested. Please remove me.")).toBe("not_a_fit");
  });
});
