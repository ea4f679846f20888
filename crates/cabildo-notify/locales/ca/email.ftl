# The council named in a sentence (Spanish adds the article of its name).
council-the = { $council }
council-the-start = { $council }
council-of = de { $council }

email-footer = Reps aquest correu de { $council } a través del seu lloc de participació.
email-footer-automatic = És un missatge automàtic; les respostes no es llegeixen.
email-open = Veure-ho al lloc
email-preferences = Tria quins avisos reps per correu i cada quant
digest-daily-subject = El teu resum diari de { $council }
digest-weekly-subject = El teu resum setmanal de { $council }
digest-intro = Això és el que ha passat des del nostre últim missatge:
digest-preferences = Pots triar cada quant reps aquests correus a les teves preferències de notificació.
newsletter-footer = Reps aquest butlletí de { $council } perquè el vas demanar.
newsletter-unsubscribe = Donar-se de baixa d'aquests butlletins

account-confirm-subject = Confirma la teva adreça de correu a { $council }
account-confirm-body = Et donem la benvinguda! Per acabar de crear el teu compte al lloc de participació de { $council }, confirma que aquesta adreça és teva. L'enllaç funciona durant 48 hores.

    Si no t'has registrat, ignora aquest missatge: no s'activarà cap compte.
account-confirm-action = Confirma la meva adreça
account-reset-subject = Tria una contrasenya nova a { $council }
account-reset-body = Algú ha demanat restablir la contrasenya del compte amb aquesta adreça al lloc de participació de { $council }. L'enllaç funciona durant una hora i una sola vegada.

    Si no has estat tu, ignora aquest missatge: la teva contrasenya no canvia.
account-reset-action = Tria una contrasenya nova
account-exists-subject = El teu compte a { $council }
account-exists-body = Algú ha intentat registrar-se al lloc de participació de { $council } amb aquesta adreça, que ja té un compte.

    Si has estat tu, inicia la sessió, o tria una contrasenya nova si l'has oblidada. Si no, pots ignorar aquest missatge.
account-exists-action = He oblidat la contrasenya

account-invite-subject = Et conviden a l'equip de { $council }
account-invite-body = T'han convidat a formar part de l'equip del lloc de participació de { $council }. Inicia la sessió amb aquesta adreça, o crea-hi un compte, i accepta la invitació. L'enllaç funciona durant 7 dies.
account-invite-action = Mostra la invitació

account-email-subject = Confirma la teva adreça de correu nova a { $council }
account-email-body = Has demanat fer servir aquesta adreça per al teu compte al lloc de participació de { $council }. Confirma-la per fer el canvi; fins llavors es manté l'anterior. L'enllaç funciona durant 48 hores.

    Si no ho has demanat, ignora aquest missatge.
account-email-action = Confirma la meva adreça nova
account-email-changed-subject = La teva adreça de correu a { $council } ha canviat
account-email-changed-body = El compte que feia servir aquesta adreça al lloc de participació de { $council } ara en fa servir una altra.

    Si no has fet tu el canvi, tria una contrasenya nova com més aviat millor i contacta amb l'ajuntament.
account-email-changed-action = Tria una contrasenya nova

# Mail of the platform itself, about a council signing up.
email-footer-platform = Reps aquest correu de { $council }, la plataforma de participació on el teu ajuntament s'ha donat d'alta.
account-signup-confirm-subject = Confirma l'alta del teu ajuntament a { $council }
account-signup-confirm-body = Gràcies per donar d'alta el teu ajuntament. Confirma que aquesta adreça és teva i el lloc de participació estarà llest en pocs segons, amb tu com a administrador o administradora. L'enllaç funciona durant 24 hores. Si no has estat tu, ignora aquest correu.
account-signup-confirm-action = Confirmar i crear el lloc
account-signup-review-subject = Una alta d'ajuntament espera la teva aprovació
account-signup-review-body = Un ajuntament ha confirmat la seva alta però necessita l'aprovació d'un operador (domini de correu no institucional, o municipi que ja té lloc). Revisa-la a la consola.
account-signup-review-action = Obrir la consola
account-signup-approved-subject = El teu lloc de participació està aprovat
account-signup-approved-body = L'equip de { $council } ha aprovat l'alta del teu ajuntament. El lloc s'està creant: segueix l'enllaç per entrar-hi com a administrador o administradora tan aviat com estigui llest.
account-signup-approved-action = Entrar al meu lloc
account-signup-rejected-subject = No hem pogut aprovar l'alta del teu ajuntament
account-signup-rejected-body = L'equip de { $council } no ha aprovat l'alta. Si representes un ajuntament, escriu-nos des d'una adreça de correu institucional i la revisarem de nou.
account-signup-rejected-action = Anar a { $council }

account-billing-overdue-subject = Pagament pendent del pla { council-of }
account-billing-overdue-body = No s'ha pogut cobrar el pla del lloc de participació { council-of }. Tot continua funcionant durant el termini de gràcia; si aleshores no s'ha pagat, no es podran començar processos nous ni enviar butlletins (el que ja és obert continuarà fins al final i no s'esborra res). A la pàgina de facturació veuràs la data i podràs pagar o canviar la targeta.
account-billing-overdue-action = Anar a pla i facturació
account-invoice-request-subject = Un ajuntament demana pagar contra factura
account-invoice-request-body = Un ajuntament ha demanat pagar el seu pla contra factura. Comprova'n les dades (NIF, adreça i codis DIR3) i accepta o rebutja la sol·licitud a la facturació de la consola.
account-invoice-request-action = Obrir la facturació de la consola
account-invoice-accepted-subject = El pla { council-of } ja es paga contra factura
account-invoice-accepted-body = S'ha acceptat la sol·licitud: des d'ara el pla del lloc de participació { council-of } es paga contra factura, amb les dades que vau donar. Les factures apareixeran a la pàgina de facturació, en PDF i com a fitxer Facturae per a FACe.
account-invoice-accepted-action = Anar a pla i facturació
account-invoice-declined-subject = No s'ha acceptat el pagament contra factura { council-of }
account-invoice-declined-body = No s'ha acceptat la sol·licitud de pagar contra factura el pla del lloc de participació { council-of }. A la pàgina de facturació veuràs el motiu i podràs corregir les dades i demanar-ho de nou.
account-invoice-declined-action = Veure el motiu

# Meetings (to the person registered, waiting or invited).
meeting-action = Mostra la reunió
meeting-code = El teu codi d'entrada: { $code }. Mostra'l a l'entrada (en paper o al mòbil).
meeting-registered-subject = Inscripció confirmada: { $title }
meeting-registered-body = Tens plaça a la reunió «{ $title }», el { $when }, a { $place }. Si no hi pots anar, allibera la teva plaça a la pàgina de la reunió perquè la pugui ocupar una altra persona.
meeting-waiting-subject = Ets a la llista d'espera: { $title }
meeting-waiting-body = La reunió «{ $title }» (el { $when }) és completa, així que ets a la llista d'espera. Si algú allibera una plaça, passa a la primera persona de la llista, i quan et toqui t'escriurem amb el teu codi d'entrada.
meeting-promoted-subject = Hi ha una plaça per a tu: { $title }
meeting-promoted-body = Algú ha alliberat una plaça i és per a tu: ara tens plaça a la reunió «{ $title }», el { $when }, a { $place }.
meeting-invited-subject = Tens una invitació: { $title }
meeting-invited-body = Et convidem a la reunió «{ $title }», el { $when }, a { $place }. Inscriu-t'hi a la pàgina de la reunió per confirmar que hi vens.
meeting-reminder-subject = Demà: { $title }
meeting-reminder-body = Et recordem la reunió «{ $title }»: el { $when }, a { $place }. Si finalment no hi pots anar, allibera la teva plaça a la pàgina de la reunió.
meeting-changed-subject = Modificada: { $title }
meeting-changed-body = Han canviat l'hora o el lloc de la reunió «{ $title }». Ara és el { $when }, a { $place }.
meeting-cancelled-subject = Cancel·lada: { $title }
meeting-cancelled-body = La reunió «{ $title }», prevista per al { $when }, s'ha cancel·lat. Motiu que dona l'ajuntament: { $reason }
