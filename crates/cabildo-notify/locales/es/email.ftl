email-footer = Recibes este correo de { $council } a través de su sitio de participación.
email-footer-automatic = Es un mensaje automático; las respuestas no se leen.
email-open = Ver en el sitio
digest-daily-subject = Tu resumen diario de { $council }
digest-weekly-subject = Tu resumen semanal de { $council }
digest-intro = Esto es lo que ha pasado desde nuestro último mensaje:
digest-preferences = Puedes elegir cada cuánto recibes estos correos en tus preferencias de notificación.
