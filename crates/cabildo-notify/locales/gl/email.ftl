# The council named in a sentence (Spanish adds the article of its name).
council-the = { $council }
council-the-start = { $council }
council-of = de { $council }

email-footer = Recibes este correo de { $council } a través do seu sitio de participación.
email-footer-automatic = É unha mensaxe automática; as respostas non se len.
email-open = Ver no sitio
email-preferences = Escolle que avisos recibes por correo e cada canto
digest-daily-subject = O teu resumo diario de { $council }
digest-weekly-subject = O teu resumo semanal de { $council }
digest-intro = Isto é o que pasou desde a nosa última mensaxe:
digest-preferences = Podes escoller cada canto recibes estes correos nas túas preferencias de notificación.
newsletter-footer = Recibes este boletín de { $council } porque o pediches.
newsletter-unsubscribe = Darse de baixa destes boletíns

account-confirm-subject = Confirma o teu enderezo de correo en { $council }
account-confirm-body = Benvida ou benvido! Para rematar de crear a túa conta no sitio de participación de { $council }, confirma que este enderezo é teu. A ligazón funciona durante 48 horas.

    Se non te rexistraches, ignora esta mensaxe: non se activará ningunha conta.
account-confirm-action = Confirmar o meu enderezo
account-reset-subject = Escolle un contrasinal novo en { $council }
account-reset-body = Alguén pediu restablecer o contrasinal da conta con este enderezo no sitio de participación de { $council }. A ligazón funciona durante unha hora e unha soa vez.

    Se non fuches ti, ignora esta mensaxe: o teu contrasinal non cambia.
account-reset-action = Escoller un contrasinal novo
account-exists-subject = A túa conta en { $council }
account-exists-body = Alguén intentou rexistrarse no sitio de participación de { $council } con este enderezo, que xa ten unha conta.

    Se fuches ti, inicia sesión, ou escolle un contrasinal novo se o esqueciches. Se non, podes ignorar esta mensaxe.
account-exists-action = Esquecín o meu contrasinal

account-invite-subject = Convídante ao equipo de { $council }
account-invite-body = Convidáronte a formar parte do equipo do sitio de participación de { $council }. Inicia sesión con este enderezo, ou crea unha conta con el, e acepta a invitación. A ligazón funciona durante 7 días.
account-invite-action = Ver a invitación

account-email-subject = Confirma o teu novo enderezo de correo en { $council }
account-email-body = Pediches usar este enderezo para a túa conta no sitio de participación de { $council }. Confírmao para facer o cambio; ata entón mantense o anterior. A ligazón funciona durante 48 horas.

    Se non o pediches, ignora esta mensaxe.
account-email-action = Confirmar o meu novo enderezo
account-email-changed-subject = O teu enderezo de correo en { $council } cambiou
account-email-changed-body = A conta que usaba este enderezo no sitio de participación de { $council } usa agora outro.

    Se non fixeches ti o cambio, escolle un contrasinal novo canto antes e contacta co concello.
account-email-changed-action = Escoller un contrasinal novo

# Mail of the platform itself, about a council signing up.
email-footer-platform = Recibes este correo de { $council }, a plataforma de participación na que o teu concello se deu de alta.
account-signup-confirm-subject = Confirma a alta do teu concello en { $council }
account-signup-confirm-body = Grazas por dar de alta o teu concello. Confirma que este enderezo é teu e o sitio de participación estará listo nuns segundos, contigo como administradora ou administrador. A ligazón funciona durante 24 horas. Se non fuches ti, ignora este correo.
account-signup-confirm-action = Confirmar e crear o sitio
account-signup-review-subject = Unha alta de concello agarda a túa aprobación
account-signup-review-body = Un concello confirmou a súa alta pero precisa a aprobación dun operador (dominio de correo non institucional, ou municipio que xa ten sitio). Revísaa na consola.
account-signup-review-action = Abrir a consola
account-signup-approved-subject = O teu sitio de participación está aprobado
account-signup-approved-body = O equipo de { $council } aprobou a alta do teu concello. O sitio estase a crear: segue a ligazón para entrar como administradora ou administrador en canto estea listo.
account-signup-approved-action = Entrar no meu sitio
account-signup-rejected-subject = Non puidemos aprobar a alta do teu concello
account-signup-rejected-body = O equipo de { $council } non aprobou a alta. Se representas a un concello, escríbenos desde un enderezo de correo institucional e revisarémola de novo.
account-signup-rejected-action = Ir a { $council }

account-billing-overdue-subject = Pagamento pendente do plan { council-of }
account-billing-overdue-body = Non se puido cobrar o plan do sitio de participación { council-of }. Todo segue funcionando durante o prazo de graza; se para entón non se pagou, non se poderán comezar procesos novos nin enviar boletíns (o que xa está aberto seguirá ata o final e non se borra nada). Na páxina de facturación verás a data e poderás pagar ou cambiar a tarxeta.
account-billing-overdue-action = Ir a plan e facturación
account-invoice-request-subject = Un concello pide pagar contra factura
account-invoice-request-body = Un concello pediu pagar o seu plan contra factura. Comproba os seus datos (NIF, enderezo e códigos DIR3) e acepta ou rexeita a solicitude na facturación da consola.
account-invoice-request-action = Abrir a facturación da consola
account-invoice-accepted-subject = O plan { council-of } xa se paga contra factura
account-invoice-accepted-body = Aceptouse a solicitude: desde agora o plan do sitio de participación { council-of } págase contra factura, cos datos que destes. As facturas aparecerán na páxina de facturación, en PDF e como ficheiro Facturae para FACe.
account-invoice-accepted-action = Ir a plan e facturación
account-invoice-declined-subject = Non se aceptou o pagamento contra factura { council-of }
account-invoice-declined-body = Non se aceptou a solicitude de pagar contra factura o plan do sitio de participación { council-of }. Na páxina de facturación verás o motivo e poderás corrixir os datos e pedilo outra vez.
account-invoice-declined-action = Ver o motivo

# Meetings (to the person registered, waiting or invited).
meeting-action = Ver a xuntanza
meeting-code = O teu código de entrada: { $code }. Amósao na entrada (en papel ou no móbil).
meeting-registered-subject = Inscrición confirmada: { $title }
meeting-registered-body = Tes praza na xuntanza «{ $title }», o { $when }, en { $place }. Se non podes ir, libera a túa praza na páxina da xuntanza para que a poida ocupar outra persoa.
meeting-waiting-subject = Estás na lista de espera: { $title }
meeting-waiting-body = A xuntanza «{ $title }» (o { $when }) está completa, así que estás na súa lista de espera. Se alguén libera unha praza, pasa á primeira persoa da lista, e cando che toque escribirémosche co teu código de entrada.
meeting-promoted-subject = Hai unha praza para ti: { $title }
meeting-promoted-body = Alguén liberou unha praza e é para ti: agora tes praza na xuntanza «{ $title }», o { $when }, en { $place }.
meeting-invited-subject = Tes unha invitación: { $title }
meeting-invited-body = Convidámoste á xuntanza «{ $title }», o { $when }, en { $place }. Inscríbete na páxina da xuntanza para confirmar que vés.
meeting-reminder-subject = Mañá: { $title }
meeting-reminder-body = Lembrámosche a xuntanza «{ $title }»: o { $when }, en { $place }. Se ao final non podes ir, libera a túa praza na páxina da xuntanza.
meeting-changed-subject = Modificada: { $title }
meeting-changed-body = Cambiaron a hora ou o lugar da xuntanza «{ $title }». Agora é o { $when }, en { $place }.
meeting-cancelled-subject = Cancelada: { $title }
meeting-cancelled-body = A xuntanza «{ $title }», prevista para o { $when }, cancelouse. Motivo que dá o concello: { $reason }
