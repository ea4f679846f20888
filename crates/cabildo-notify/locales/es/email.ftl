# The council named in a sentence: $council is its name, $article the
# article Spanish puts before it ("el" gives "del Ayuntamiento de Toledo").
council-the = { $article ->
    [el] el { $council }
    [la] la { $council }
    [los] los { $council }
    [las] las { $council }
   *[none] { $council }
}
council-the-start = { $article ->
    [el] El { $council }
    [la] La { $council }
    [los] Los { $council }
    [las] Las { $council }
   *[none] { $council }
}
council-of = { $article ->
    [el] del { $council }
    [la] de la { $council }
    [los] de los { $council }
    [las] de las { $council }
   *[none] de { $council }
}

email-footer = Recibes este correo { council-of } a través de su sitio de participación.
email-footer-automatic = Es un mensaje automático; las respuestas no se leen.
email-open = Ver en el sitio
email-preferences = Elige qué avisos recibes por correo y cada cuánto
digest-daily-subject = Tu resumen diario { council-of }
digest-weekly-subject = Tu resumen semanal { council-of }
digest-intro = Esto es lo que ha pasado desde nuestro último mensaje:
digest-preferences = Puedes elegir cada cuánto recibes estos correos en tus preferencias de notificación.
newsletter-footer = Recibes este boletín { council-of } porque lo pediste.
newsletter-unsubscribe = Darse de baja de estos boletines

account-confirm-subject = Confirma tu dirección de correo en { council-the }
account-confirm-body = ¡Bienvenida o bienvenido! Para terminar de crear tu cuenta en el sitio de participación { council-of }, confirma que esta dirección es tuya. El enlace funciona durante 48 horas.

    Si no te has registrado, ignora este mensaje: no se activará ninguna cuenta.
account-confirm-action = Confirmar mi dirección
account-reset-subject = Elige una contraseña nueva en { council-the }
account-reset-body = Alguien ha pedido restablecer la contraseña de la cuenta con esta dirección en el sitio de participación { council-of }. El enlace funciona durante una hora y una sola vez.

    Si no has sido tú, ignora este mensaje: tu contraseña no cambia.
account-reset-action = Elegir una contraseña nueva
account-exists-subject = Tu cuenta en { council-the }
account-exists-body = Alguien ha intentado registrarse en el sitio de participación { council-of } con esta dirección, que ya tiene una cuenta.

    Si has sido tú, inicia sesión, o elige una contraseña nueva si la has olvidado. Si no, puedes ignorar este mensaje.
account-exists-action = He olvidado mi contraseña

account-invite-subject = Te invitan al equipo { council-of }
account-invite-body = Te han invitado a formar parte del equipo del sitio de participación { council-of }. Inicia sesión con esta dirección, o crea una cuenta con ella, y acepta la invitación. El enlace funciona durante 7 días.
account-invite-action = Ver la invitación

account-email-subject = Confirma tu nueva dirección de correo en { council-the }
account-email-body = Has pedido usar esta dirección para tu cuenta en el sitio de participación { council-of }. Confírmala para hacer el cambio; hasta entonces se mantiene la anterior. El enlace funciona durante 48 horas.

    Si no lo has pedido, ignora este mensaje.
account-email-action = Confirmar mi nueva dirección
account-email-changed-subject = Tu dirección de correo en { council-the } ha cambiado
account-email-changed-body = La cuenta que usaba esta dirección en el sitio de participación { council-of } usa ahora otra.

    Si no has hecho tú el cambio, elige una contraseña nueva cuanto antes y contacta con el ayuntamiento.
account-email-changed-action = Elegir una contraseña nueva

# Mail of the platform itself, about a council signing up.
email-footer-platform = Recibes este correo de { $council }, la plataforma de participación en la que tu ayuntamiento se ha dado de alta.
account-signup-confirm-subject = Confirma el alta de tu ayuntamiento en { $council }
account-signup-confirm-body = Gracias por dar de alta a tu ayuntamiento. Confirma que esta dirección es tuya y el sitio de participación quedará listo en unos segundos, contigo como administradora o administrador. El enlace funciona durante 24 horas. Si no has sido tú, ignora este correo.
account-signup-confirm-action = Confirmar y crear el sitio
account-signup-review-subject = Un alta de ayuntamiento espera tu aprobación
account-signup-review-body = Un ayuntamiento ha confirmado su alta pero necesita la aprobación de un operador (dominio de correo no institucional, o municipio que ya tiene sitio). Revísala en la consola.
account-signup-review-action = Abrir la consola
account-signup-approved-subject = Tu sitio de participación está aprobado
account-signup-approved-body = El equipo de { $council } ha aprobado el alta de tu ayuntamiento. Tu sitio se está creando: sigue el enlace para entrar como administradora o administrador en cuanto esté listo.
account-signup-approved-action = Entrar en mi sitio
account-signup-rejected-subject = No hemos podido aprobar el alta de tu ayuntamiento
account-signup-rejected-body = El equipo de { $council } no ha aprobado el alta. Si representas a un ayuntamiento, escríbenos desde una dirección de correo institucional y la revisaremos de nuevo.
account-signup-rejected-action = Ir a { $council }

account-billing-overdue-subject = Pago pendiente del plan { council-of }
account-billing-overdue-body = No se ha podido cobrar el plan del sitio de participación { council-of }. Todo sigue funcionando durante el plazo de gracia; si para entonces no se ha pagado, no se podrán empezar procesos nuevos ni enviar boletines (lo que ya está abierto seguirá hasta el final y nada se borra). En la página de facturación verás la fecha y podrás pagar o cambiar la tarjeta.
account-billing-overdue-action = Ir a plan y facturación
account-invoice-request-subject = Un ayuntamiento pide pagar contra factura
account-invoice-request-body = Un ayuntamiento ha pedido pagar su plan contra factura. Comprueba sus datos (NIF, dirección y códigos DIR3) y acepta o rechaza la solicitud en la consola de facturación.
account-invoice-request-action = Abrir la facturación de la consola
account-invoice-accepted-subject = El plan { council-of } se paga ya contra factura
account-invoice-accepted-body = Se ha aceptado la solicitud: desde ahora el plan del sitio de participación { council-of } se paga contra factura, con los datos que disteis. Las facturas aparecerán en la página de facturación, en PDF y como archivo Facturae para FACe.
account-invoice-accepted-action = Ir a plan y facturación
account-invoice-declined-subject = No se ha aceptado el pago contra factura { council-of }
account-invoice-declined-body = No se ha aceptado la solicitud de pagar contra factura el plan del sitio de participación { council-of }. En la página de facturación verás el motivo y podrás corregir los datos y pedirlo otra vez.
account-invoice-declined-action = Ver el motivo

# Meetings (to the person registered, waiting or invited).
meeting-action = Ver la reunión
meeting-code = Tu código de entrada: { $code }. Muéstralo en la entrada (en papel o en el móvil).
meeting-registered-subject = Inscripción confirmada: { $title }
meeting-registered-body = Tienes plaza en la reunión «{ $title }», el { $when }, en { $place }. Si no puedes ir, libera tu plaza en la página de la reunión para que otra persona pueda ocuparla.
meeting-waiting-subject = Estás en la lista de espera: { $title }
meeting-waiting-body = La reunión «{ $title }» (el { $when }) está completa, así que estás en su lista de espera. Si alguien libera una plaza, pasa a la primera persona de la lista, y cuando te toque te escribiremos con tu código de entrada.
meeting-promoted-subject = Hay una plaza para ti: { $title }
meeting-promoted-body = Alguien ha liberado una plaza y es para ti: ahora tienes plaza en la reunión «{ $title }», el { $when }, en { $place }.
meeting-invited-subject = Tienes una invitación: { $title }
meeting-invited-body = Te invitamos a la reunión «{ $title }», el { $when }, en { $place }. Inscríbete en la página de la reunión para confirmar que vienes.
meeting-reminder-subject = Mañana: { $title }
meeting-reminder-body = Te recordamos la reunión «{ $title }»: el { $when }, en { $place }. Si al final no puedes ir, libera tu plaza en la página de la reunión.
meeting-changed-subject = Modificada: { $title }
meeting-changed-body = Han cambiado la hora o el lugar de la reunión «{ $title }». Ahora es el { $when }, en { $place }.
meeting-cancelled-subject = Cancelada: { $title }
meeting-cancelled-body = La reunión «{ $title }», prevista para el { $when }, se ha cancelado. Motivo que da el ayuntamiento: { $reason }
