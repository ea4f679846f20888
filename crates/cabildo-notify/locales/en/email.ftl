email-footer = You receive this email from { $council } through its participation site.
email-footer-automatic = This is an automatic message; replies are not read.
email-open = Open on the site
digest-daily-subject = Your daily summary from { $council }
digest-weekly-subject = Your weekly summary from { $council }
digest-intro = Here is what happened since our last message:
digest-preferences = You can choose how often you get these emails in your notification settings.
