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
