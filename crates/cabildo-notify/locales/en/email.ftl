email-footer = You receive this email from { $council } through its participation site.
email-footer-automatic = This is an automatic message; replies are not read.
