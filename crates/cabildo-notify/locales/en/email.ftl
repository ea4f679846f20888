# The council named in a sentence (Spanish adds the article of its name).
council-the = { $council }
council-the-start = { $council }
council-of = of { $council }

email-footer = You receive this email from { $council } through its participation site.
email-footer-automatic = This is an automatic message; replies are not read.
email-open = Open on the site
email-preferences = Choose which notices you get by email and how often
digest-daily-subject = Your daily summary from { $council }
digest-weekly-subject = Your weekly summary from { $council }
digest-intro = Here is what happened since our last message:
digest-preferences = You can choose how often you get these emails in your notification settings.
newsletter-footer = You receive this newsletter from { $council } because you asked to.
newsletter-unsubscribe = Unsubscribe from these newsletters

account-confirm-subject = Confirm your email address for { $council }
account-confirm-body = Welcome! To finish creating your account on the participation site of { $council }, confirm that this address is yours. The link works for 48 hours.

    If you did not sign up, ignore this message: no account will be activated.
account-confirm-action = Confirm my address
account-reset-subject = Choose a new password for { $council }
account-reset-body = Someone asked to reset the password of the account with this address on the participation site of { $council }. The link works for one hour and only once.

    If it was not you, ignore this message: your password stays as it is.
account-reset-action = Choose a new password
account-exists-subject = Your account on { $council }
account-exists-body = Someone tried to register on the participation site of { $council } with this address, which already has an account.

    If it was you, log in, or choose a new password if you forgot it. If it was not, you can ignore this message.
account-exists-action = I forgot my password

account-invite-subject = You are invited to the staff of { $council }
account-invite-body = You have been invited to join the staff of the participation site of { $council }. Log in with this address, or create an account with it, then accept the invitation. The link works for 7 days.
account-invite-action = See the invitation

account-email-subject = Confirm your new email address for { $council }
account-email-body = You asked to use this address for your account on the participation site of { $council }. Confirm it to make the change; until then the old address stays. The link works for 48 hours.

    If you did not ask for this, ignore this message.
account-email-action = Confirm my new address
account-email-changed-subject = Your email address on { $council } was changed
account-email-changed-body = The account that used this address on the participation site of { $council } now uses another one.

    If you did not make this change, choose a new password at once and contact the council.
account-email-changed-action = Choose a new password

# Mail of the platform itself, about a council signing up.
email-footer-platform = You receive this email from { $council }, the participation platform your council signed up on.
account-signup-confirm-subject = Confirm your council's sign-up on { $council }
account-signup-confirm-body = Thank you for signing up your council. Confirm that this address is yours and the participation site will be ready within seconds, with you as its administrator. The link works for 24 hours. If this was not you, ignore this email.
account-signup-confirm-action = Confirm and create the site
account-signup-review-subject = A council sign-up waits for your approval
account-signup-review-body = A council confirmed its sign-up but needs an operator's approval (a non-institutional mail domain, or a municipality that already has a site). Review it in the console.
account-signup-review-action = Open the console
account-signup-approved-subject = Your participation site is approved
account-signup-approved-body = The { $council } team approved your council's sign-up. Your site is being created: follow the link to enter it as its administrator as soon as it is ready.
account-signup-approved-action = Enter my site
account-signup-rejected-subject = We could not approve your council's sign-up
account-signup-rejected-body = The { $council } team did not approve the sign-up. If you represent a council, write to us from an institutional email address and we will review it again.
account-signup-rejected-action = Go to { $council }

account-billing-overdue-subject = Payment outstanding for the plan { council-of }
account-billing-overdue-body = The plan of the participation site { council-of } could not be charged. Everything keeps working during the grace period; if it has not been paid by then, no new process can be started and no newsletter sent (what is already open runs to its end, and nothing is deleted). The billing page shows the date and lets you pay or change the card.
account-billing-overdue-action = Go to plan and billing
account-invoice-request-subject = A council asks to pay against invoices
account-invoice-request-body = A council has asked to pay for its plan against invoices. Check its details (NIF, address and DIR3 codes) and accept or decline the request on the console's billing page.
account-invoice-request-action = Open the console's billing
account-invoice-accepted-subject = The plan { council-of } is now paid against invoices
account-invoice-accepted-body = The request was accepted: from now on the plan of the participation site { council-of } is paid against invoices, with the details you gave. Invoices will appear on the billing page, as PDF and as a Facturae file for FACe.
account-invoice-accepted-action = Go to plan and billing
account-invoice-declined-subject = Paying against invoices was not accepted { council-of }
account-invoice-declined-body = The request to pay for the plan of the participation site { council-of } against invoices was not accepted. The billing page shows why and lets you correct the details and ask again.
account-invoice-declined-action = See why

# Meetings (to the person registered, waiting or invited).
meeting-action = See the meeting
meeting-code = Your entry code: { $code }. Show it at the door (on paper or on your phone).
meeting-registered-subject = You are registered: { $title }
meeting-registered-body = You have a place at «{ $title }», on { $when }, at { $place }. If you cannot come, give your place back on the meeting's page so that someone else can have it.
meeting-waiting-subject = You are on the waiting list: { $title }
meeting-waiting-body = «{ $title }» (on { $when }) is full, so you are on its waiting list. If a place is given back, it goes to the first in line and we will write to you with your entry code.
meeting-promoted-subject = A place came free for you: { $title }
meeting-promoted-body = A place was given back and it is yours: you now have a place at «{ $title }», on { $when }, at { $place }.
meeting-invited-subject = You are invited: { $title }
meeting-invited-body = You are invited to «{ $title }», on { $when }, at { $place }. Register on the meeting's page to confirm that you are coming.
meeting-reminder-subject = Tomorrow: { $title }
meeting-reminder-body = A reminder: «{ $title }» is on { $when }, at { $place }. If you cannot come after all, give your place back on the meeting's page.
meeting-changed-subject = Changed: { $title }
meeting-changed-body = The time or place of «{ $title }» has changed. It is now on { $when }, at { $place }.
meeting-cancelled-subject = Cancelled: { $title }
meeting-cancelled-body = «{ $title }», planned for { $when }, has been cancelled. The council's reason: { $reason }
