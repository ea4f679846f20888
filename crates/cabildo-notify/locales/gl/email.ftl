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
