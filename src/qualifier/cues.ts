// The offline classifier's cue lists: for each default kind and each language, phrases with a
// weight ("phrase=2"; 1 when left out). Written as people type them — accents and case do not
// matter, they are folded like the messages. In a phrase, `#` is any number, `word*` any word
// starting with `word`, and `__marker__` one of text.ts's markers (links, order numbers…).
// A kind with no cue list here (a workspace's own kinds) is never chosen by the offline model.
import type { DefaultKind } from "./qualifier";

export const CUE_LANGUAGES = ["en", "es", "pt", "de", "fr", "ru"] as const;
export type CueLanguage = (typeof CUE_LANGUAGES)[number];

type CueTable = Record<DefaultKind, Record<CueLanguage, string>>;

export const CUES: CueTable = {
  hot: {
    en: `quote=2; quotation=2; a proposal=1.5; proposal for=2; pricing for #=2; price for #=2; how much for #=2;
      contract=2; the paperwork=2; sign=1.5; we ll sign=2.5; sign this week=2.5; order form=2.5; purchase order=3; po=1;
      invoice for=2; pay by card=2.5; can i pay=2; we ll pay=2; pay before=2; payment today=2;
      ready to buy=3; ready to move forward=3; move forward=1.5; go ahead=1.5; let s do it=2.5; lets do it=2.5;
      went with you=3; we chose you=3; decided to go with=3; we ll take=2; get started=2; when can we start=3;
      start date=2; go live=2; roll out=1.5; onboarding=1.5; kick off=1.5; implementation=1;
      budget s approved=3; budget is approved=3; budget approved=3; approved budget=3; budget has been approved=3;
      # seats=2; # licenses=2; # licences=2; # users=1.5; # people=1; # user licenses=2; # devices=1.5; # units=1.5; # scanners=1.5;
      asap=1.5; urgent=1.5; urgently=1.5; kinda urgent=1.5; today=1; this week=1; by friday=1; by monday=1;
      before the end of the month=1.5; can not wait any longer=2; cfo=1; buy=1.5; purchase=1.5; annual plan=1; enterprise tier=1;
      green light=2.5; sign off=2; signed off=2; invoice us=3; bill us=2.5; upfront=1.5; discount for=1.5; deciding=1.5; final decision=1.5; choosing between=2; shortlist=2; shortlisted=2; payment link=2.5; send the invoice=2.5; ready to sign=3; how soon can=2; as soon as possible=1.5; this month=1; next week=1; need it by=2; place an order=2.5; want to order=2.5; # agents=1.5; # employees=1.5; # reps=1.5; # locations=1.5; # stores=1.5; # branches=1.5; per seat=1; # year contract=2; subscribe=1.5; set us up=2;
      agreed=1.5; we re in=2; let s go=1.5; let s get started=2.5; get this rolling=2; next step=2; next steps=2; paid plan=2; paid subscription=2.5; convert to paid=2.5; upgrade to paid=2.5; paid=1; # accounts=1.5; # admins=1; accounts live=2; activate=1.5; docusign=2.5; card payment=2; bank transfer=2`,
    es: `cotizacion=2; presupuesto para=2; propuesta=1.5; precio final=1.5; contrato=2; firmar=2; firmamos=2; contratar=2.5;
      factura proforma=2.5; orden de compra=3; nos quedamos con=2.5; lo pagamos=2; pagamos=2; forma de pago=1.5;
      plazo de entrega=1.5; cuando podemos empezar=3; empezar=1; arrancar=1.5; arrancamos=2; implementacion=1.5;
      aprobo=1.5; aprobado=1.5; aprobados=1.5; # licencias=2; # usuarios=1.5; # personas=1; # puestos=2; # unidades=1.5;
      urgente=1.5; hoy mismo=1.5; hoy=1; esta semana=1; esta misma semana=1.5; el viernes=0.5; lo necesitamos ya=2;
      no podemos esperar mas=2; comprar=1.5; queremos comprar=2.5; si cierra=1.5;
      visto bueno=2.5; luz verde=2.5; emitir la factura=2.5; emitanme la factura=3; emitan la factura=3; la factura para=2; factura a nombre de=2.5; por adelantado=1.5; descuento=1.5; elegimos=1.5; decidimos=1.5; decision final=1.5; nos decidimos por=3; entre ustedes y=2; # agentes=1.5; # empleados=1.5; # vendedores=1.5; # oficinas=1; # sucursales=1.5; # tiendas=1.5; cuanto antes=1.5; lo antes posible=1.5; la semana que viene=1; este mes=1; funcionando antes=2; contratamos=2.5; hacer un pedido=2.5; link de pago=2.5; transferencia=1.5;
      de acuerdo=1; dijo que si=2; dio el ok=2.5; arranquemos=2; empecemos=2; siguiente paso=2; proximos pasos=2; plan de pago=2; suscripcion de pago=2.5; pago anual=2; pasar a pago=2.5; damos de alta=2; dar de alta=1.5; activar=1.5; # cuentas=1.5; # cajas=1; link para pagar=2.5; pagar con tarjeta=2.5; datos para la transferencia=2.5; capacitan=1.5; capacitacion=1.5`,
    pt: `cotacao=2; orcamento para=2; um orcamento=1.5; proposta=1.5; valor final=1.5; contrato=2; assinar=2; assino=2;
      assinamos=2; a gente assina=2.5; fechar com=2.5; fechado=2; contratar=2.5; pedido de compra=3; vamos com=2;
      envia o boleto=2.5; pagamos=2; como faco o pagamento=2.5; condicoes de pagamento=1.5; prazo de entrega=1.5;
      quando podemos comecar=3; quando a gente pode comecar=3; comecar=1; implantacao=1.5; verba aprovada=3; aprovou=1.5;
      # licencas=2; # usuarios=1.5; # pessoas=1; # seats=2; # sensores=1.5; urgente=1.5; hoje=1; hoje mesmo=1.5;
      essa semana=1; esta semana=1; ainda hoje=1.5; nao da mais pra esperar=2; comprar=1.5; queremos comprar=2.5;
      sinal verde=2.5; aprovado=1.5; liberou=1.5; liberado=1.5; fecho=2; fechamos=2.5; fechar negocio=2.5; gerar o contrato=2.5; desconto=1.5; a vista=1.5; # unidades=1.5; # lojas=1.5; # filiais=1.5; # funcionarios=1.5; # vendedores=1.5; # agentes=1.5; o quanto antes=1.5; semana que vem=1; este mes=1; esse mes=1; amanha=1; antes do fim do mes=1.5; pacote completo=1.5; link de pagamento=2.5; quanto fica=1;
      de acordo=1; vamos nessa=2.5; bora=1.5; fechou=2; proximo passo=2; proximos passos=2; plano pago=2; assinatura paga=2.5; ativar=1.5; # acessos=1.5; # contas=1.5; # corretores=1.5; dados pra transferencia=2.5; dados para transferencia=2.5; pagar no cartao=2.5`,
    de: `angebot=2; kostenvoranschlag=2; vertrag=2; unterschreiben=2; unterzeichnen=2; auftragsbestatigung=2.5;
      bestellen=2; bestellung=1; an wen schicke ich=2; rechnung fur=2; uberweisen=2; zahlungsbedingungen=1.5;
      lieferzeit=1.5; loslegen=2; ab wann=1.5; starten=1; start am=2; kick off=1.5; produktiv=1.5; live gehen=2;
      einrichtung=1; freigegeben=2.5; fur ihre losung entschieden=3; entschieden=1.5; wir nehmen=2.5;
      # lizenzen=2; # nutzer=1.5; # leute=1; # arbeitsplatze=2; # handscanner=1.5; # stuck=1.5; # seats=2;
      dringend=1.5; heute=1; heute abend=1.5; diese woche=1; noch diese woche=1.5; zeitnah=1.5; kaufen=1.5;
      langer warten konnen wir nicht=2;
      grunes licht=2.5; freigabe=2; in rechnung=2.5; vorauszahlung=1.5; rabatt=1.5; endauswahl=2.5; entscheidung=1.5; zuschlag=2.5; # mitarbeiter=1.5; # standorte=1.5; # filialen=1.5; # einheiten=1; so schnell wie moglich=1.5; asap=1.5; nachste woche=1; diesen monat=1; bis ende=1; bestellen wir=2.5; kaufen wir=2.5; zusage=2; ab sofort=1.5;
      einig=2; zugestimmt=2; los geht s=2; lass uns starten=2.5; nachste schritt=2; nachsten schritte=2; bezahlte=2; kostenpflichtig=2; freischalten=2; freigeschaltet=2; # zugange=1.5; # admins=1; link zum bezahlen=2.5; kreditkarte=1.5`,
    fr: `devis=2; proposition commerciale=2; tarif final=1.5; contrat=2; signer=2; on signe=2.5; bon de commande=3;
      commander=2; virement=2; conditions de reglement=1.5; delais de livraison=1.5; on peut demarrer=3; demarrer=1.5;
      demarrage=1.5; lancer=1; lancement=1; on part sur=2.5; on prend=2; la direction a valide=3; valide=1.5;
      budget de=1; # licences=2; # postes=2; # utilisateurs=1.5; # personnes=1; # terminaux=1.5; quote=2; asap=1.5; urgent=1.5;
      aujourd hui=1; cette semaine=1; vite=1; avant vendredi=1.5; on ne peut plus attendre=2; acheter=1.5;
      feu vert=2.5; preparer la facture=2.5; la facture pour=2; engagement de=1.5; on tranche=2; trancher=1.5; remise=1.5; decision=1.5; entre vous et=2; # salaries=1.5; # commerciaux=1.5; # agences=1.5; # magasins=1.5; # sites=1; operationnels=1.5; au plus vite=1.5; des que possible=1.5; la semaine prochaine=1; ce mois ci=1; on valide=2.5; passer commande=2.5; lien de paiement=2.5;
      d accord=1.5; on se lance=2.5; c est parti=2; prochaine etape=2; prochaines etapes=2; abonnement payant=2.5; payant=1.5; passer en payant=2.5; # comptes=1.5; activer=1.5; payer par carte=2.5`,
    ru: `коммерческое предложение=2; кп=2; договор=2; подпишем=2.5; подписываем=2.5; подписать=2; выставьте счет=2.5;
      счет на=2; оплатим=2.5; заказать=2; закупку=2; заявку на закупку=3; условия оплаты=1.5; сроки поставки=1.5;
      когда можем начать=3; начать=1; стартуем=2; стартовать=1.5; запуск=1.5; внедрени*=1.5; утвержден=2.5;
      одобрило=2; одобрил=2; выбираем вас=3; берем=2.5; под ключ=1.5; # лицензий=2; # пользователей=1.5; # человек=1;
      # рабочих мест=2; # терминалов=1.5; # seats=2; quote=2; срочно=1.5; сегодня=1; на этой неделе=1;
      побыстрее=1.5; больше ждать не можем=2; купить=1.5;
      дал добро=2.5; добро=1.5; согласовали=2; выставите=2.5; предоплат*=1.5; скидк*=1.5; выбираем между=2; решение=1; # сотрудников=1.5; # менеджеров=1.5; # филиалов=1.5; # точек=1.5; запуститься=2; запустить=1.5; как можно скорее=1.5; на следующей неделе=1; в этом месяце=1; до конца месяца=1.5; оформить заказ=2.5; ссылку на оплату=2.5; сразу за=1;
      согласны=2; договорились=2.5; погнали=2; поехали=1.5; давайте начнем=2.5; следующии шаг=2; платн*=2; подключить=1.5; # учеток=1.5; # учетных записей=1.5; оплату картой=2.5; оплатить картой=2.5; реквизиты для оплаты=2.5`,
  },
  warm: {
    en: `interested=1.5; interesting=1; tell me more=2; tell me a bit more=2; learn more=2; more info=1.5; more information=1.5;
      how does=1.5; how it works=1.5; how would we=1; brochure=2; overview=1; case studies=2; demo=1.5; a call=1;
      set up a call=1.5; free trial=1.5; trial=1; pricing=1; price=1; cost=1; how much=1; roughly=0.5;
      difference between=1.5; what does it do=1.5; compared to=1; exploring=1.5; looking into=1.5;
      evaluating=1.5; options=1; integration=1; integrate=1; curious=1; recommended=1.5; recommended you=2;
      next quarter=1; gathering information=1.5; love to hear=1.5; can your=1; does the app=1; does it support=1;
      your system=1.5; your software=1.5; your tool=1.5; your app=1; your platform=1.5; your product=1.5; do you guys=1; do you have=1; is there an=1; api=1.5; webhook=1; what s out there=2; can it=1; could it=1; use case=1.5; how others=1.5; see it in action=2; walk me through=2; more details=1.5; features=1; what do you offer=2; looking for a tool=1.5; looking for a solution=1.5; we need something=1.5; is it possible=1; possible to=1;
      would it work for=2; work for=1; what languages=1.5; recording=1.5; slides=1.5; webinar=1.5; do you work with=2; only for=1; suitable for=1.5; works with=1`,
    es: `me interesa=2; interesa=1.5; interesado=1.5; interesante=1; saber mas=2; conocer mas=2; mas detalles=1.5;
      como funciona=2; catalogo=1.5; presentacion=1; material=1; demo=1.5; una llamada=1; periodo de prueba=1.5;
      prueba gratis=1.5; precio=1; cuanto cuesta=1; que precio=1; diferencia=1.5; se diferencia=1.5; evaluando=1.5;
      opciones=1; integracion=1; se puede conectar=1; me hablo de ustedes=1.5; recomendo=1.5; proximo trimestre=1;
      recopilando informacion=1.5; nos gustaria ver=1.5; ejemplos=1; me gustaria saber=1.5; cuentame=1.5; sirve para=1;
      su sistema=1.5; su programa=1.5; su software=1.5; su herramienta=1.5; su aplicacion=1.5; su plataforma=1.5; tienen algo=1.5; hay api=1.5; api=1.5; permite=1; se puede=1; es posible=1; una consulta=1; funcionalidades=1; que ofrecen=2; busco un sistema=1.5; busco una herramienta=1.5; necesitamos algo=1.5; ver que hay=2; caso de uso=1.5; verlo funcionando=2;
      sirve tambien=1.5; trabajan con=2; funciona con=1; grabacion=1.5; diapositivas=1.5; webinar=1.5; en que idiomas=1.5; solo para=1`,
    pt: `tenho interesse=2; interesse=1.5; interessado=1.5; interessante=1; saber mais=2; entender melhor=2; como funciona=2;
      material=1; apresentacao=1; demonstracao=1.5; demo=1.5; uma conversa=1; marcar uma conversa=1.5;
      periodo de teste=1.5; teste gratis=1.5; preco=1; valor aproximado=1.5; quanto custa=1; diferenca=1.5; diferente do=1.5;
      avaliando=1.5; opcoes=1; integracao=1; integrar=1; indicou=1.5; levantando informacoes=1.5; gostaria de saber=1.5;
      gostaria de entender=1.5; queria saber=1.5;
      sistema de voces=1.5; o sistema consegue=1.5; consegue=1; o software=1; a ferramenta=1; a plataforma=1; voces tem=1; tem api=1.5; api=1.5; da pra=1; e possivel=1; tem como=1.5; ver funcionando=2; parece pratico=1.5; funcionalidades=1; o que voces oferecem=2; procuro um sistema=1.5; buscando um sistema=1.5; preciso de um sistema=1.5;
      atendem=2; funciona com=1.5; gravacao=1.5; webinar=1.5; slides=1.5`,
    de: `interesse=1.5; interessant=1.5; interessiert=1.5; spannend=1; mehr erfahren=2; erzahlt mal mehr=2; mehr infos=2;
      infos=1; informationen=1; infomaterial=2; wie funktioniert=2; wie genau funktioniert=2; demo=1.5; telefonieren=1;
      testphase=1.5; kostenlos testen=1.5; was kostet=1; was wurde das=1; kosten=1; preis=1; unterschied=1.5;
      anders als=1.5; schauen uns=1.5; verschiedene losungen=1.5; anbindung=1; schnittstelle=1; empfohlen=1.5;
      nachste quartal=1; nachstes quartal=1; sammeln=1; kann man damit=1;
      ihr system=1.5; ihre software=1.5; ihr tool=1.5; ihre losung=1.5; ihre app=1; ihre plattform=1.5; gibt es eine=1; api=1.5; konnte man=1.5; kann man=1; ist es moglich=1.5; moglich=1; funktionen=1; was bietet=2; suchen eine losung=1.5; suchen ein system=1.5; brauchen etwas=1.5; live sehen=2;
      taugt=2; geeignet=2; unterstutzt=1.5; webinar=1.5; folien=1.5; aufzeichnung=1.5; welche sprachen=1.5`,
    fr: `interesse=1; interessant=1.5; en savoir plus=2; m en dire plus=2; dire plus=2; comment fonctionne=2; plaquette=2;
      presentation=1; demo=1.5; s appeler=1; periode d essai=1.5; essai gratuit=1.5; combien=1; tarif=1; prix=1;
      difference=1.5; par rapport a=1; de mieux=1; etudions=1.5; plusieurs solutions=1.5; s interface=1; integration=1;
      synchronisation=1; parle de vous=1.5; trimestre prochain=1; on se renseigne=1.5; quelques infos=1.5; on y reflechit=1;
      votre logiciel=1.5; votre outil=1.5; votre solution=1.5; votre application=1.5; votre plateforme=1.5; vous avez une=1; api=1.5; est il possible=1.5; possible de=1; fonctionnalites=1; que proposez vous=2; on cherche un outil=1.5; on cherche une solution=1.5; brancher=1; voir en action=2;
      gere t il=1.5; convient=1.5; adapte a=1.5; webinaire=1.5; replay=1.5; enregistrement=1.5; dans quelles langues=1.5; vous travaillez avec=2`,
    ru: `интересно=1; интересует=1.5; подробнее=2; поподробн*=2; расскажите=1.5; как работает=2; презентаци*=1.5;
      материалы=1; демо=1.5; созвониться=1.5; пробный период=1.5; сколько стоит=1; сколько примерно=1.5; стоимость=1;
      цена=1; чем отличается=1.5; чем вы лучше=1.5; смотрим=1.5; несколько систем=1.5; интеграци*=1;
      порекомендовал=1.5; следующий квартал=1; собираем информацию=1.5; узнать детали=1.5; узнать подробнее=2; можно ли=1;
      ваша система=1.5; ваш сервис=1.5; ваша программа=1.5; ваше приложение=1.5; ваша платформа=1.5; умеет=1.5; есть ли=1; api=1.5; возможно ли=1.5; функционал=1; что вы предлагаете=2; ищем систему=1.5; ищем решение=1.5; нужна система=1.5;
      подоидет ли=2; подоидет=1.5; работаете с=2; вебинар=1.5; запись=1; на каких языках=1.5; поддерживает=1.5`,
  },
  cold: {
    en: `not a priority=3; not now=2.5; not right now=3; maybe later=3; later=1; next year=2; check back=2; keep me posted=2;
      no budget=3; not the right time=3; on hold=2.5; just browsing=3; just looking=3; swamped=1.5; think about it=2.5;
      will think=2; have a look when=2; when i get a chance=2; fine with what we have=3; happy with what we have=3;
      we re fine=2; if that changes=2; renewed with another=3; another provider=2; someday=2.5; some day=2.5;
      get back to you=1.5; not really looking=3; not looking=2; pass it on=1.5; not expect a quick=2; a while=1;
      in the spring=1; talk again=1.5; put on hold=3;
      at the earliest=2.5; not before=2; until after=2; wait until=1.5; frozen=2.5; freeze=2; on pause=2.5; paused=2; circle back=2; touch base later=2; not sure it s worth=2.5; not worth=2; nobody used it=2; no one used it=2; in a few months=2; after the holidays=2; after the summer=2; too early=2; no time=1.5; remind me=1.5; follow up in=1.5;
      not had time=2.5; ping me=1.5; again after=2; not something=2; not focusing=2.5; spending freeze=3; hiring freeze=2.5; nothing new=2; when we grow=2.5; maybe when=2; down the road=2; not yet=1.5`,
    es: `no es prioridad=3; ahora mismo no=2.5; mas adelante=2.5; el ano que viene=2; proximo ano=2; de momento nada=3;
      de momento no=2.5; por ahora no=2.5; no tenemos presupuesto=3; sin presupuesto=3; en pausa=2.5; solo estaba mirando=3;
      solo mirando=3; a tope=1.5; lo pensare=2.5; lo voy a pensar=2.5; estamos bien con=2.5; si cambia algo=2;
      otro proveedor=2; algun dia=2.5; ya te llamo=1.5; buen momento=2.5; unos meses=1.5; no creo que sea pronto=2.5;
      no lo descartamos=1.5; seguimos con=1.5; les avisaremos=1.5;
      hasta despues=2.5; no antes de=2; despues del verano=2.5; despues de las vacaciones=2.5; mas tarde=2; congelado=2.5; congelamos=2.5; no se si vale la pena=2.5; vale la pena=1; nadie lo usaba=2; dentro de unos meses=2; a fin de ano=1.5; no vamos a mover nada=2.5; todavia es pronto=2; sin tiempo=1.5;
      no tuve tiempo=2.5; no he tenido tiempo=2.5; escribime de nuevo=2.5; escribeme de nuevo=2.5; de nuevo despues=2; todo parado=2.5; parado=1.5; quizas cuando=2.5; cuando crezcamos=2.5; no es algo=2; no es un tema=2.5; este ano no=2.5; congelacion=2.5`,
    pt: `nao e prioridade=3; agora nao=2.5; mais pra frente=2.5; mais para a frente=2.5; ano que vem=2; proximo ano=2;
      por enquanto nada=3; por enquanto nao=2.5; de momento nao=2.5; nao temos verba=3; sem verba=3; congelado=2.5;
      dando uma olhada=3; sem tempo=1.5; vou pensar=2.5; satisfeitos com=2.5; se mudar=2; outro fornecedor=2;
      qualquer dia=2; bom momento=2.5; uns meses=1.5; nao deve ser tao cedo=2.5; nao descarto=1.5; seguimos com=1.5;
      avisamos=1.5; voltem a contactar=2;
      depois das ferias=2.5; so depois=2; nao antes de=2; mais tarde=2; congelamos=2.5; nao sei se vale a pena=2.5; vale a pena=1; ninguem usava=2; daqui a uns meses=2; fim do ano=1.5; so vamos pensar nisso=2.5; vamos pensar=1.5; ainda e cedo=2;
      nao consegui olhar=2.5; ainda nao consegui=2; me chama de novo=2.5; contencao de gastos=3; contencao=2; talvez quando=2.5; quando a empresa crescer=2.5; quando crescer=2; nada novo=2; segundo semestre=1.5; nao e o momento=2.5`,
    de: `keine prioritat=3; nachstes jahr=2; spater=1.5; momentan eher nicht=3; momentan nicht=2.5; aktuell nicht=2.5;
      kein budget=3; auf eis=2.5; schaue mich nur um=3; nur umschauen=3; viel los=1.5; uberlege es mir=2.5; zufrieden=2;
      kein bedarf=2.5; anderen anbieter=2; irgendwann=2.5; wir melden uns=1.5; falls sich etwas andert=2; im herbst=1;
      keine schnelle antwort=2; bleiben wir bei=1.5; darauf zuruckkommen=2; zuruck kommen=1.5;
      fruhestens=2.5; nicht vor=2; erst nach=2; nach dem sommer=2; im fruhjahr=1.5; vor dem fruhjahr=2; gestoppt=2; eingefroren=2.5; lohnt=1.5; keiner hat s benutzt=2; niemand hat=1.5; in ein paar monaten=2; ende des jahres=1; zu fruh=2; nichts neues=2;
      keine zeit=2; noch keine zeit=2.5; nochmal nach=2; fragen sie nach=2; ausgabenstopp=3; kein thema=2.5; wenn wir wachsen=2.5; vielleicht wenn=2`,
    fr: `pas une priorite=3; pas pour l instant=3; plus tard=2.5; l an prochain=2; l annee prochaine=2; pas de budget=3;
      stand by=2.5; en pause=2.5; jette juste un oeil=3; juste un oeil=3; deborde=1.5; je vais reflechir=2.5; satisfaits=2;
      si ca change=2; autre prestataire=2; un jour peut etre=2.5; je vous rappelle=1; pas tout de suite=2.5;
      recontactez moi=1.5; a la rentree=1.5; ne ferme pas la porte=1.5; on reste sur=1.5; reviendra vers vous=1.5;
      pas avant=2.5; au plus tot=2.5; apres l ete=2; a l automne=1.5; on gele=2.5; pas sur que ca vaille le coup=2.5; vaille le coup=1.5; personne ne s en servait=2; dans quelques mois=2; fin d annee=1.5; trop tot=2; pas le moment=2.5;
      pas eu le temps=2.5; relancez moi apres=2.5; relancez moi=1.5; gel des depenses=3; pas un sujet=2.5; peut etre quand=2; rien de nouveau=2`,
    ru: `не приоритет=3; не сейчас=2.5; попозже=2; позже=2; в следующем году=2; бюджета нет=3; нет бюджета=3; заморожен=2.5;
      просто смотрю=3; завал=1.5; подумаю=2.5; устраивает=2; если что то изменится=2; другим поставщиком=2;
      когда нибудь=2.5; не актуально=3; пока нет=2; через пару месяцев=1.5; не исключаю=1.5; остаемся на=1.5;
      дадим знать=1.5; не ждите=1.5;
      не раньше=2.5; вряд ли=2; после лета=2; осенью=1.5; раньше осени=2; заморожены=2.5; заморозили=2.5; не уверен что=2; стоит ли=1.5; никто не пользовался=2; через несколько месяцев=2; в конце года=1; рано=1.5; не до этого=2.5;
      не успел=2.5; напомните после=2.5; напомните=1.5; мораторий=3; не тема=2.5; может когда=2; когда вырастем=2.5; ничего нового=2`,
  },
  customer: {
    en: `my order=2.5; our order=2.5; order __ordno__=3; order #=2.5; has not arrived=2; hasn t arrived=2; tracking=1.5;
      can not log in=3; cannot log in=3; log in=1.5; login=1.5; our account=2.5; my account=2; existing account=3;
      account id=3; subscription=1.5; our subscription=2.5; renewal=2; auto renewal=2; our plan=2; reissue=2; wrong vat=2;
      bug=2; stopped working=2.5; not working=2; keeps failing=2; after the update=2.5; since the renewal=2.5;
      ticket=2.5; ticket #=3; support=1.5; replacement=2; factory settings=2; reset=1; we bought=2.5; been with you=3;
      customer=1.5; charged us=2.5; charged=1.5; refund=2; his licence=2; his license=2; her license=2; licence to=1.5;
      __ref__=2; invoice __ref__=3; __ordno__=2;
      since this morning=2; since monday=1.5; since yesterday=1.5; stopped=1.5; shows twice=2; duplicated=2; duplicate=1.5; twice=1; error=1.5; error message=2; crash=2; crashes=2; sync=1.5; not syncing=2; notifications=1; password=2; reset my password=3; receipts=2; past invoices=2.5; our invoices=2; how do i=1.5; where can i=1.5; where do i=1.5; our team uses=2; we use your=2.5; we re using your=2.5; company account=3; in the app=1.5; dashboard=1.5; settings=1; our accountant=1.5; add a user=2; remove a user=2; downgrade=2; upgrade our=2; cancel our=2;
      can not see=2; permissions=1.5; what did i break=3; broke=1.5; broken=2; disconnected=2.5; are not coming=2; not coming in=2; overnight=1; charged in=2; billing=1.5; our contract says=2.5; our contract=2; workspace=1.5; our reps=1; our pipeline=2; shared pipeline=1.5`,
    es: `mi pedido=2.5; nuestro pedido=2.5; pedido #=2.5; pedido __ordno__=3; no llego=2; no ha llegado=2;
      entrar a la cuenta=3; nuestra cuenta=2.5; mi cuenta=2; suscripcion=2; renovar la suscripcion=3; factura de=1.5;
      corregir=1.5; corregirla=1.5; actualizacion=1.5; no funciona=2; ticket=2.5; ticket #=3; incidencia=2.5; soporte=2;
      tecnico=1.5; instalacion=1.5; reprogramar=2; tarjeta de pago=2; falta el=1.5; su licencia=2.5;
      dar de baja a un usuario=3; somos clientes=3; clientes desde=3; nos cobraron=2.5; dos veces=1.5; devuelven=2;
      reembolso=2; cuota=1.5; __ordno__=2;
      desde hoy=1.5; desde esta manana=2; desde ayer=1.5; dejo de=2; dejaron de=2; duplicad*=2; error=1.5; se cierra=2; sincroniza*=1.5; notificaciones=1; contrasena=2; recibos=2; facturas del=2; como hago para=1.5; donde descargo=2; donde encuentro=1.5; en el panel=2; nuestro usuario=2; usamos su=2.5; la gestoria=1.5;
      no ven=2; no veo=1.5; permisos=1.5; que hice mal=3; roto=2; se desconecto=2.5; desconect*=2; no entran=2; desde anoche=2; el cargo=2; facturacion=1.5; pueden revisar=1.5; nuestro contrato=2; la bandeja=1.5`,
    pt: `meu pedido=2.5; nosso pedido=2.5; pedido #=2.5; nao chegou=2; acessar a conta=3; nossa conta=2.5; minha conta=2;
      assinatura=2; renovar a assinatura=3; nota fiscal de=1.5; corrigir=1.5; atualizacao=1.5; nao exporta=2;
      nao funciona=2; chamado=2.5; suporte=2; tecnico=1.5; instalacao=1.5; remarcar=2; cartao de pagamento=2;
      veio sem=1.5; transferir a licenca=2.5; somos clientes=3; clientes ha=3; cobraram=2.5; estornar=2.5; estorno=2.5;
      mensalidade=2; codigo do cliente=3; boleto deste mes=2.5; __ordno__=2;
      desde cedo=2; desde sexta=1.5; desde ontem=1.5; pararam de=2; parou de=2; duplicad*=2; erro=1.5; fecha sozinho=2; sincroniza*=1.5; notificacoes=1; senha=2; comprovantes=2; onde baixo=2; onde encontro=1.5; como faco=1.5; nossa empresa e=1.5; no painel=2; usamos o sistema=2.5; a contabilidade=1.5;
      nao veem=2; permissoes=1.5; o que eu fiz de errado=3; fiz de errado=2.5; desconect*=2; nao entram=2; desde ontem=1.5; cobranca=2; nosso contrato=2; podem ver isso=1.5; o funil=1.5`,
    de: `meine bestellung=2.5; unsere bestellung=2.5; bestellung #=2.5; nicht angekommen=2; noch nicht da=2; einloggen=2.5;
      unser konto=2.5; unserem konto=2.5; abo=1.5; unser abo=2.5; abonnement=1.5; unser abonnement=2.5; verlangern=1.5;
      verlangerung=1.5; korrigieren=1.5; update=1.5; funktioniert nicht mehr=2.5; funktioniert nicht=2; sturzt=2;
      ticketnummer=3; ticket=2.5; support=1.5; techniker=1.5; installationstermin=2; neuen termin=1.5;
      zahlungsmethode=1.5; fehlt=1.5; auftragsnummer=3; kundennummer=3; kunde=1.5; seit # kunde=3; wartungsvertrag=2.5;
      lizenz=1; ubertrage=2; abgebucht=2.5; erstatten=2; nutzen euch=2.5; benachrichtigungen=1; __ordno__=2;
      seit heute=2; seit montag=1.5; seit gestern=1.5; hangt=2; doppelt=2; fehler=2; fehlermeldung=2.5; sync=1.5; synchronisier*=1.5; passwort=2; zahlungsbelege=2.5; belege=1.5; rechnungen vom=2; wo finde ich=2; wie kann ich=1.5; firmenkonto=3; steuerberater=1.5; kommen nicht mehr an=2.5; wir nutzen ihr=2.5;
      sehen nicht mehr=2; rollen=1.5; berechtigung*=1.5; kaputt=2.5; getrennt=2; kommt nichts mehr an=2.5; uber nacht=1.5; abgerechnet=2.5; abrechnung=2; laut vertrag=2.5; buchhaltung=1.5`,
    fr: `ma commande=2.5; notre commande=2.5; commande #=2.5; pas arrivee=2; toujours pas arrive*=2; se connecter=2.5;
      notre compte=2.5; mon compte=2; abonnement=1.5; notre abonnement=2.5; mon abonnement=2.5; renouvellement=1.5;
      corriger=1.5; mise a jour=2; ne fonctionne plus=2.5; plante=2; ticket=2.5; support=1.5; technicien=1.5;
      installation=1.5; reprogrammer=2; carte bancaire=1.5; manque=1.5; transferer sa licence=2.5; sa licence=2;
      clients depuis=3; contrat de maintenance=2.5; client n=2.5; preleve=2.5; rembourser=2; mensualite=2;
      vous avez installe*=2; __ordno__=2;
      depuis ce matin=2; depuis hier=1.5; depuis lundi=1.5; en double=2; erreur=1.5; synchronis*=1.5; mot de passe=2; factures de l an dernier=2.5; les factures=1.5; telecharger=1.5; ou est ce que je peux=1.5; comment je=1.5; mon comptable=1.5;
      ne voient plus=2; ne vois plus=2; droits=1.5; j ai casse=3; deconnect*=2; n arrive plus=2; plus aucun message=2; cette nuit=1.5; la compta=1.5; le contrat est=2`,
    ru: `мой заказ=2.5; наш заказ=2.5; заказ #=2.5; не пришел=2; до сих пор не=1.5; войти в аккаунт=3; аккаунт=1.5;
      наш аккаунт=2.5; подписк*=2; продлить подписку=3; в счете=2; исправить=1.5; обновлени*=2; не работает=2.5;
      вылетает=2; обращени*=2; номер обращения=3; поддержк*=1.5; мастер=1; установк*=1.5; перенести=1.5;
      карту для оплаты=2; без блока=1.5; его лицензию=2.5; лицензию=1; ваши клиенты=3; списали=2.5; верните=2;
      выгрузить=1.5; у нас тариф=2.5; вы установили=2; __ordno__=2;
      с утра=1.5; со вчерашнего дня=1.5; дважды=1.5; дублир*=2; ошибк*=1.5; синхрониз*=1.5; пароль=2; закрывающие документы=3; документы за=1.5; где скачать=2; где найти=1.5; как мне=1.5; бухгалтери*=1.5; в приложении=1.5; мы пользуемся=2.5; не приходят=2;
      не видят=2; не вижу=2; роли=1.5; права доступа=1.5; что я сломал=3; сломал*=2; отвалился=2.5; отключил*=2; ночью=1.5; выставили в=2; по договору=2.5; воронк*=1.5`,
  },
  not_a_fit: {
    en: `not interested=4; no interest=3; remove me=4; take me off=4; unsubscribe=5; stop=2; stop messaging=4; stop texting=4;
      stop writing=4; stop contacting=4; wrong number=5; wrong person=4; student=2.5; thesis=3; survey=2; research=1;
      looking for a job=4; a job=1.5; are you hiring=3; hiring=2.5; my cv=3; cv=2.5; resume=2.5; hard pass=4;
      no thanks=3; no thank you=3; competitor=3; not for us=3; leave me alone=4; do not contact=4; do not need=1.5;
      another cold message=3; another sales message=3; exactly what my day needed=3; just what i needed=2;
      do you sell=1.5; no need to follow up=3;
      you have the wrong=4; wrong guy=4; never signed up=3; did not sign up=3; i m retired=3; personal number=3; private number=3; stop spamming=4; spam=2; out of business=3; closed down=3; not relevant=3; irrelevant=3; not our industry=3;
      remove this number=4; remove my number=4; delete my number=4; from your database=3; report it=2.5; report you=3; no way i need=3; do not need a crm=3; just a freelancer=3; freelancer=2; marketing agency=2; partnership=2; resell=2`,
    es: `no me interesa=4; no estoy interesado=4; no nos interesa=4; no me escriban=4; dejen de=3; dejen de mandarme=4;
      numero equivocado=5; equivocado=2; estudiante=2.5; encuesta=2; busco trabajo=4; trabajo de comercial=3; vacantes=3;
      mi cv=3; cv=2.5; baja=3; darme de baja=4; no es para nosotros=4; no es para mi=3; competencia=2.5; jubilado=2.5;
      otro mensaje de ventas=3; justo lo que necesitaba=3; no hace falta=2; venden=1.5; no quiero=2;
      se equivocaron=4; equivocaron=3; nunca me registre=3; no me vuelvan a contactar=4; no me contacten=4; no vuelvan a=3; numero personal=3; cerramos el negocio=3; no aplica=3; spam=2;
      borren este numero=4; borren mi numero=4; de su base de datos=3; los denuncio=3; denunciar=2.5; no me hace falta=3; ninguna falta=2.5; autonomo=2; agencia de marketing=2; revender=2; alianza=2`,
    pt: `nao tenho interesse=4; sem interesse=4; nao me mandem=4; para de me mandar=4; parem de=3; numero errado=5;
      estudante=2.5; tcc=3; questionario=2; procurando emprego=4; emprego=2.5; vagas=2.5; curriculo=3; sair=2.5;
      descadastrar=4; nao serve=3; nao e pra mim=3; nao e para mim=3; concorrencia=2.5; aposentado=2.5;
      mais uma mensagem de vendas=3; era tudo que eu precisava=3; vendem=1.5; nao quero=2; nao precisa=2;
      engano=4; nunca pedi=3; nunca me cadastrei=3; nao entrem mais em contato=4; nao me contatem=4; nao entrem em contato=4; numero pessoal=3; fechamos a empresa=3; nao se aplica=3; spam=2;
      tirem meu numero=4; da lista de voces=2.5; denunciar=2.5; vou denunciar=3; nao preciso de=2; crm nenhum=3; freelancer=2; agencia de marketing=2; parceria=2; revender=2`,
    de: `kein interesse=4; nicht interessiert=4; verteiler=3; abmelden=4; falsche nummer=5; student=2.5; bachelorarbeit=3;
      masterarbeit=3; umfrage=2; interview=1.5; offene stellen=3; suche eine stelle=4; lebenslauf=3; bewerbung=3;
      horen sie auf=4; horen sie bitte auf=4; aufhoren=3; brauchen wir nicht=2; passt nicht zu uns=3; nicht fur uns=3;
      privatnummer=3; bitte loschen=3; konkurrenz=2.5; wettbewerber=2.5; schon wieder eine=2.5; genau das hat mir=3;
      verkaufen sie=1.5; mochte weder=2.5;
      vertan=4; verwechselt=4; falsche person=4; nie angemeldet=3; nirgends angemeldet=3; kontaktieren sie mich nicht=4; nicht mehr kontaktieren=4; kein unternehmen=3; trifft nicht zu=2.5; spam=2;
      loschen sie diese nummer=4; aus ihrer datenbank=3; melde ich=3; ganz sicher nicht=2.5; freiberufler=2; marketingagentur=2; partnerschaft=2; weiterverkaufen=2.5`,
    fr: `pas interesse=4; pas interessee=4; ne m interesse pas=4; me retirer=4; retirer de votre liste=4; desinscri*=4;
      stop=2; trompe de numero=5; mauvais numero=5; etudiant*=2.5; memoire=2.5; stage=2; cherche un poste=4;
      recrutez=3; mon cv=3; cv=2.5; arretez de=4; ne me sert a rien=3; pas pour moi=3; pas pour nous=3; concurrent=2.5;
      encore un message=2.5; exactement ce qu il me manquait=3; vous vendez=1.5; ne veux ni=2.5;
      trompe de personne=4; trompe=3; jamais inscrit=3; ne plus me contacter=4; ne me contactez plus=4; numero perso=3; numero personnel=3; ne nous concerne pas=3; pas concerne=3; spam=2;
      supprimez ce numero=4; de votre base=3; je vous signale=3; ne me servira jamais=3.5; freelance=2; agence marketing=2; partenariat=2; revendre=2`,
    ru: `не интересно=4; не интересует=4; удалите меня=4; из рассылки=3; отписаться=5; отпишите=4; ошиблись номером=5;
      не туда попали=4; студент*=2.5; курсов*=2.5; диплом=2.5; ищу работу=4; ваканси*=3; резюме=3; хватит=3;
      не пишите=4; ни к чему=3; не наш случай=3; конкурент*=2.5; пенсионер*=2.5; еще одна рассылка=3;
      именно этого мне=3; у вас есть запчасти=2; не нужны ни=2.5;
      ошиблись=4; не звоните=4; не пишите мне=4; нигде не регистрировал*=3; личный номер=3; закрылись=3; нас не касается=3; спам=2;
      удалите этот номер=4; удалите мои номер=4; из вашеи базы=3; пожалуюсь=3; точно не нужна=2.5; фрилансер=2; маркетинговое агентство=2; партнерств*=2; перепродавать=2.5`,
  },
  spam: {
    en: `earn=2; bitcoin=2.5; crypto=2.5; trading=1; token=1.5; presale=3; guaranteed=2; investment proposal=3; invest=1.5;
      returns=1.5; usdt=3; limited spots=2.5; join now=2; click=2; claim=2; congratulations=2.5; gift card=2.5;
      you have been selected=2.5; you have won=3; winner=2; prize=2.5; free iphone=3; verify=2; suspended=2.5;
      within 24 hours=2; inheritance=3; widow=2.5; million usd=2; bank details=2.5; seo=2.5; first page of google=3;
      free audit=2.5; dear sir=3; sir madam=3; followers=2.5; leads per month=3; b2b leads=2.5; dm us=2; offer ends=2;
      act fast=2.5; hello dear=2.5; hi dear=2.5; private site=2.5; expires today=2.5; renew now=2; make money=2.5;
      work from home=2; from home=1.5; 100x=3; double returns=3;
      trading bot=3; win rate=2.5; no experience needed=3; passive income=3; will be deleted=2.5; copyright violation=3; appeal=1.5; suspicious=1.5; unauthorized=2; click the link=2.5; limited time=2; act now=2.5; risk free=2.5; per day=1; daily=1; guaranteed income=3; casino=2.5; bonus=1.5; free spins=3; pre approved=2.5; reward=2; claim your=3;
      confidential=2; us army=3; army=2; million=1.5; your assistance=2.5; is losing=1.5; redesign=1.5; reply info=2.5; payment was declined=2.5; declined=1.5; update your billing=2.5; lottery=3; dear friend=2.5`,
    es: `gana=1.5; criptomonedas=2.5; cripto=2.5; invierte=2; inversion=1.5; token=1.5; preventa=3; garantizada=2;
      garantizado=2; rentabilidad=2; plazas limitadas=2.5; haz clic=2.5; clic aqui=2.5; felicidades=2; premio=2.5;
      ha ganado=3; reclamelo=2; verifique=2; bloqueada=2; 24 horas=1.5; herencia=3; datos bancarios=2.5;
      posicionamiento seo=3; primera pagina de google=3; auditoria gratuita=2.5; auditoria gratis=2.5; estimado a=2.5;
      seguidores=2.5; leads b2b=2.5; prestamos=2; sin aval=3; duplica=2.5; solo hoy=2; oferta exclusiva=2;
      hola guapo=2.5; hola querido=2.5; mis fotos=2; pague=1.5; aduana=2; retenido=1.5;
      bot de trading=3; sin experiencia=2.5; ingresos pasivos=3; cobra hasta=2.5; cupos limitados=2.5; sera eliminada=2.5; derechos de autor=2; apele=2; ganancias=2; dinero facil=3; por semana=1; por dia=1; escribeme ahora=2; casino=2.5; bono=1.5;
      confidencial=2; ejercito=2.5; millones=1.5; su ayuda=1.5; redisenamos=2; responda info=2.5; loteria=3; premiado=3; para cobrar=2; copia de su dni=3; rechazado=1.5`,
    pt: `ganhe=2.5; bitcoin=2.5; cripto=2.5; invista=2; investimento=1.5; token=1.5; retorno garantido=3; garantido=2;
      vagas limitadas=2.5; clique=2.5; parabens=2; sorteado=3; premio=2.5; resgate=2; bloqueada=2; bloqueio=1.5;
      atualize seus dados=3; heranca=3; dados bancarios=2.5; seo=2.5; primeira pagina do google=3; auditoria gratis=2.5;
      prezado a=2.5; seguidores=2.5; leads b2b=2.5; emprestimo=2; sem consulta=3; spc=2; dobre=2.5; so hoje=2;
      renda extra=3; chama no zap=2.5; olá querido=2.5; ola querido=2.5; irregular=1.5; regularize=2.5; cpf=1;
      ganhe dinheiro=3; dinheiro facil=3; renda passiva=3; saque=2; cadastre se=2; por dia=1; nao reconhece=2.5; ligue agora=2.5; cassino=2.5; bonus=1.5; sorteio=2.5;
      confidencial=2; exercito=2.5; milhoes=1.5; sua ajuda=1.5; refazemos=1.5; responda info=2.5; chave pix=2.5; desativada=2; reative=2.5; loteria=3; pagamento recusado=2.5`,
    de: `verdienen sie=2.5; verdienen=1.5; bitcoin=2.5; krypto=2.5; investieren=1.5; token=1.5; garantiert=2;
      wenige platze=2.5; hier klicken=2.5; herzlichen gluckwunsch=2.5; gewonnen=2.5; gutschein=2; einlosen=2; gesperrt=2;
      bestatigen sie ihre daten=3; erbe=2.5; bankdaten=2.5; seo=2.5; seite 1=2; kostenlose analyse=2.5;
      sehr geehrte damen und herren=2.5; follower=2.5; b2b leads=2.5; sofortkredit=3; kredit=1.5; ohne schufa=3;
      verdoppeln=2.5; nur heute=2; nebenverdienst=3; hallo schatz=3; zollgebuhr=2.5; domain wird=2; datenverlust=1;
      trading bot=3; ki trading=3; ohne vorkenntnisse=2.5; passives einkommen=3; wurden ausgewahlt=2.5; dankeschon=1.5; fur nur=1.5; lauft ab=1.5; jetzt aktualisieren=3; pro tag=1; am tag=1; casino=2.5;
      vertraulich*=2; armee=2.5; ihre hilfe=1.5; antworten sie mit info=2.5; zahlung wurde abgelehnt=3; abgelehnt=1.5; zahlungsdaten=2; lotterie=3; lieber freund=2.5; sehr geehrter freund=3`,
    fr: `gagnez=2.5; crypto=2.5; trading=1; investissez=2; token=1.5; garanti=2; places limitees=2.5; cliquez=2.5;
      felicitations=2.5; gagne=2; carte cadeau=2.5; reclamez=2; suspendu=2; confirmez vos informations=3; heritage=3;
      coordonnees bancaires=2.5; referencement=2.5; premiere page de google=3; audit gratuit=2.5; madame monsieur=2.5;
      abonnes=2; leads b2b=2.5; credit rapide=3; sans justificatif=3; doublez=2.5; aujourd hui seulement=2;
      revenu complementaire=3; remboursement=1; frais de douane=2.5; cher ami=2.5;
      robot de trading=3; devenez rentier=3; rentier=2.5; sans rien faire=2.5; revenus passifs=3; par jour=1; n a pas pu etre livre=2.5; reprogrammez=2; colis=1.5; casino=2.5;
      confidentiel*=2; armee=2.5; millions=1.5; votre aide=1.5; refaisons=1.5; repondez info=2.5; remboursement d impot=3; paiement refuse=2.5; loterie=3`,
    ru: `зарабатывай=2.5; заработок=2; криптовалют*=2.5; инвестируй=2; инвестиции=2; токен=1.5; листинг*=2;
      гарантированный=2; места ограничены=2.5; жми=2.5; поздравляем=2.5; выиграли=3; приз=2.5; сертификат=1;
      заблокирована=2; подтвердите данные=3; наследство=3; банковские реквизиты=2.5; seo=2.5; продвижени*=2; в топ=2;
      бесплатного аудита=2.5; уважаемые господа=2.5; подписчиков=2; накрутка=3; лидов=2; займ=2.5; без проверки=2.5;
      удвой=2.5; только сегодня=2; подработка=3; доход=1.5; компенсация=2; дорогой друг=2.5;
      пассивный доход=3; арбитраж*=2; обучение бесплатно=2.5; пиши в лс=2.5; в лс=2; подозрительная операция=3; для отмены перейдите=3; перейдите=1.5; в день=1; казино=2.5; бонус=1.5;
      конфиденциальн*=2; армии=2.5; млн=1.5; ваша помощь=1.5; редизаин=1.5; ответьте инфо=2.5; будет удален=2.5; подтвердите вход=3; нарушение правил=2; лотере*=3; уважаемыи друг=2.5`,
  },
};

/** Markers that count toward a kind whatever the language. */
export const MARKER_CUES: Partial<Record<DefaultKind, string>> = {
  spam: `__badurl__=2.5; __url__=0.5; __moneyemoji__=1.5; __bangs__=1; __kiss__=2`,
};

/** Phrases that contain a negation word but negate nothing ("no problem", "not gonna lie"). */
export const NEUTRAL_PHRASES = `not gonna lie; no problem; no worries; not only; no doubt; not bad; nothing urgent; no rush; not urgent;
  sin problema; no hay problema; sin prisa; no hay prisa; sem problema; nao tem problema; sem pressa; kein problem; ohne eile;
  keine eile; nicht dringend; pas de souci; pas de probleme; rien d urgent; pas urgent; нет проблем; не вопрос; без спешки; не срочно`;

/** Words that negate what follows them, up to NEGATION_REACH words within the clause. */
export const NEGATORS = `not; no; never; dont; doesnt; didnt; cant; cannot; wont; isnt; arent; without; nor; neither;
  nunca; ni; sin; tampoco; ningun; ninguna; nada; nao; nem; sem; nenhum; nenhuma; nicht; kein; keine; keinen; keinem;
  keiner; nie; niemals; ohne; weder; nichts; ne; n; pas; jamais; sans; aucun; aucune; rien; не; нет; ни; без; никогда; ничего`;

/** Negation words that also reach back to the words just before them (German, Russian word order). */
export const POST_NEGATORS = `nicht; nichts; не; нет`;

/** Words that end a clause like a full stop: a negation before "but" does not reach past it. */
export const CLAUSE_WORDS = `but; however; though; although; pero; aunque; sino; porem; contudo; aber; jedoch; sondern; mais;
  cependant; pourtant; но; однако; зато`;

export const NEGATION_REACH = 4;
export const POST_NEGATION_REACH = 3;
