skip-to-content = Skip to content
site-language = Language
powered-by = Participation site powered by Cabildo
home-processes-heading = Participation processes
home-processes-empty = No participation process is open yet. When the council opens one — a debate, a call for proposals, a survey or a participatory budget — you will find it here.
home-districts-heading = Districts
home-districts-intro = Residents by district, from the municipal census.
home-districts-empty = This council has not set up its districts yet.
district-residents = { $count ->
    [one] { $formatted } resident
   *[other] { $formatted } residents
}
home-total-residents = Total: { $formatted } residents
platform-title = Cabildo — citizen participation for city councils
platform-lead = The participation platform councils choose: debates, proposals, surveys, participatory budgets and binding consultations, each council on its own site.
platform-feature-sites = Every council gets its own site on its own subdomain, in its colours and languages.
platform-feature-isolation = Each council's data is kept apart by the database itself.
platform-feature-consultants = Consultants run processes for several councils with one login.
platform-signup-soon = Self-service sign-up for councils is on its way. Meanwhile, the platform operator creates councils.
error-not-found-title = Page not found
error-not-found-body = There is nothing at this address. Check the link, or go back to the home page.
error-bad-request-title = Bad request
error-bad-request-body = Your browser sent a request this site cannot understand.
error-unavailable-title = Temporarily unavailable
error-unavailable-body = The site cannot reach its database right now. Please try again in a moment.
error-internal-title = Something went wrong
error-internal-body = An unexpected error occurred. It has been logged; please try again later.
error-timeout-title = Too slow
error-timeout-body = The page took too long to prepare. Please try again.
notice-suspended-title = Site temporarily closed
notice-suspended-body = { $council } has temporarily closed its participation site. Please check back later.
notice-archived-title = Site closed
notice-archived-body = { $council } has closed this participation site. Its contents are kept by the council.
notice-read-only-title = Read-only for now
notice-read-only-body = { $council }'s site is read-only at the moment: you can read everything, but no changes can be made.
back-home = Go to the home page
