skip-to-content = Saltar al contenido
site-language = Idioma
powered-by = Sitio de participación con Cabildo
home-processes-heading = Procesos de participación
home-processes-empty = Todavía no hay ningún proceso de participación abierto. Cuando el ayuntamiento abra uno —un debate, una recogida de propuestas, una encuesta o un presupuesto participativo— lo encontrarás aquí.
home-districts-heading = Distritos
home-districts-intro = Personas empadronadas por distrito, según el padrón municipal.
home-districts-empty = Este ayuntamiento aún no ha configurado sus distritos.
district-residents = { $count ->
    [one] { $formatted } persona empadronada
   *[other] { $formatted } personas empadronadas
}
home-total-residents = Total: { $formatted } personas empadronadas
platform-title = Cabildo — participación ciudadana para ayuntamientos
platform-lead = La plataforma de participación que eligen los ayuntamientos: debates, propuestas, encuestas, presupuestos participativos y consultas vinculantes, cada ayuntamiento en su propio sitio.
platform-feature-sites = Cada ayuntamiento tiene su propio sitio en su subdominio, con sus colores y sus idiomas.
platform-feature-isolation = La propia base de datos mantiene separados los datos de cada ayuntamiento.
platform-feature-consultants = Las consultoras llevan procesos de varios ayuntamientos con un único acceso.
platform-signup-soon = El alta de ayuntamientos por su cuenta llegará pronto. Mientras tanto, el operador de la plataforma crea los ayuntamientos.
error-not-found-title = Página no encontrada
error-not-found-body = No hay nada en esta dirección. Comprueba el enlace o vuelve a la página de inicio.
error-bad-request-title = Petición incorrecta
error-bad-request-body = Tu navegador ha enviado una petición que este sitio no entiende.
error-unavailable-title = No disponible temporalmente
error-unavailable-body = El sitio no puede acceder a su base de datos en este momento. Vuelve a intentarlo en unos instantes.
error-internal-title = Algo ha fallado
error-internal-body = Se ha producido un error inesperado. Ha quedado registrado; inténtalo de nuevo más tarde.
error-timeout-title = Demasiado lento
error-timeout-body = La página ha tardado demasiado en prepararse. Inténtalo de nuevo.
notice-suspended-title = Sitio cerrado temporalmente
notice-suspended-body = { $council } ha cerrado temporalmente su sitio de participación. Vuelve a consultarlo más adelante.
notice-archived-title = Sitio cerrado
notice-archived-body = { $council } ha cerrado este sitio de participación. El ayuntamiento conserva sus contenidos.
notice-read-only-title = Solo lectura por ahora
notice-read-only-body = El sitio de { $council } está en modo de solo lectura: puedes consultarlo todo, pero no se pueden hacer cambios.
back-home = Ir a la página de inicio
