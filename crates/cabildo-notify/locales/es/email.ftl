email-footer = Recibes este correo de { $council } a través de su sitio de participación.
email-footer-automatic = Es un mensaje automático; las respuestas no se leen.
