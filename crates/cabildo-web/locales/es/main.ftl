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
notice-suspended-body = { council-the-start } ha cerrado temporalmente su sitio de participación. Vuelve a consultarlo más adelante.
notice-archived-title = Sitio cerrado
notice-archived-body = { council-the-start } ha cerrado este sitio de participación. El ayuntamiento conserva sus contenidos.
notice-read-only-title = Solo lectura por ahora
notice-read-only-body = El sitio { council-of } está en modo de solo lectura: puedes consultarlo todo, pero no se pueden hacer cambios.
back-home = Ir a la página de inicio
unsubscribe-title = Darse de baja
unsubscribe-newsletter = ¿Dejar de recibir los boletines { council-of }?
unsubscribe-notifications = ¿Dejar de recibir los correos de notificaciones { council-of }?
unsubscribe-button = Darme de baja
unsubscribe-done-title = Te has dado de baja
unsubscribe-done-body = Ya no recibirás estos correos { council-of }.
unsubscribe-invalid-title = Este enlace no funciona
unsubscribe-invalid-body = El enlace para darse de baja está incompleto o ha sido modificado. Usa el enlace del último correo que recibiste.

account-nav = Tu cuenta
account-login = Iniciar sesión
account-logout = Cerrar sesión
account-register = Registrarse
account-title = Tu cuenta
account-residency = Empadronamiento
account-verified = Residencia verificada
account-not-verified = Aún sin verificar
account-logout-everywhere = Cerrar sesión en todos los dispositivos
field-name = Nombre y apellidos
field-nickname = Alias (público)
field-email = Correo electrónico
field-password = Contraseña
field-language = Idioma
field-accept-terms = Acepto las condiciones de uso y la política de privacidad
field-newsletter = Quiero recibir el boletín del ayuntamiento
hint-nickname = De 3 a 30 letras, cifras, puntos, guiones o guiones bajos. Se muestra junto a lo que escribas.
hint-password = { $count ->
    [one] Al menos { $formatted } carácter.
   *[other] Al menos { $formatted } caracteres. Unas cuantas palabras sin relación son fáciles de recordar y difíciles de adivinar.
}
form-errors-title = Revisa el formulario
register-title = Crea tu cuenta
register-intro = Con una cuenta en el sitio de participación { council-of } puedes participar en debates, hacer propuestas y apoyarlas.
register-submit = Crear mi cuenta
register-have-account = Ya tengo una cuenta
register-done-title = Revisa tu correo
register-done-body = Hemos enviado un mensaje a la dirección que nos has dado. Sigue su enlace para activar tu cuenta. Si no llega en unos minutos, mira en la carpeta de correo no deseado.
confirm-title = Confirma tu dirección de correo
confirm-intro = Pulsa el botón para confirmar esta dirección y activar tu cuenta.
confirm-submit = Confirmar mi dirección
confirm-done-title = Dirección confirmada
confirm-done-body = Tu cuenta está activa. Ya puedes iniciar sesión.
confirm-invalid-title = Este enlace no funciona
confirm-invalid-body = El enlace de confirmación no existe, ya se usó o ha caducado. Inicia sesión o regístrate de nuevo para recibir otro.
login-title = Iniciar sesión
login-submit = Entrar
login-forgot = He olvidado mi contraseña
login-no-account = Crear una cuenta
forgot-title = Contraseña olvidada
forgot-intro = Escribe la dirección de tu cuenta y te enviaremos un enlace para elegir una contraseña nueva.
forgot-submit = Enviarme un enlace
forgot-done-title = Revisa tu correo
forgot-done-body = Si alguna cuenta usa esa dirección, le hemos enviado un enlace para elegir una contraseña nueva. El enlace funciona durante una hora.
reset-title = Elige una contraseña nueva
reset-submit = Guardar mi contraseña nueva
reset-done-title = Contraseña cambiada
reset-done-body = Tu contraseña nueva está guardada y se han cerrado todas las sesiones abiertas. Ya puedes iniciar sesión.
reset-invalid-title = Este enlace no funciona
reset-invalid-body = El enlace no existe, ya se usó o ha caducado. Pide otro desde la página de inicio de sesión.
error-name-required = Escribe tu nombre.
error-name-too-long = El nombre es demasiado largo (100 caracteres como máximo).
error-name-invalid = El nombre contiene caracteres no permitidos.
error-nickname-required = Elige un alias.
error-nickname-length = El alias debe tener entre 3 y 30 caracteres.
error-nickname-invalid = Usa solo letras, cifras, puntos, guiones y guiones bajos en el alias.
error-nickname-scripts = Escribe el alias con letras de un solo alfabeto (por ejemplo, no mezcles letras latinas y cirílicas).
error-nickname-taken = Ese alias (u otro que se lee igual) ya está en uso; elige otro.
error-email-required = Escribe tu dirección de correo.
error-email-invalid = Eso no parece una dirección de correo.
error-password-too-short = La contraseña es demasiado corta (10 caracteres como mínimo).
error-password-too-long = La contraseña es demasiado larga.
error-password-common = Esa contraseña está entre las más usadas; elige otra.
error-password-personal = La contraseña no debe contener tu alias ni tu correo.
error-language-invalid = Elige uno de los idiomas disponibles.
error-terms-required = Tienes que aceptar las condiciones de uso y la política de privacidad.
error-invalid-credentials = El correo o la contraseña no son correctos.
error-unconfirmed = Primero confirma tu dirección de correo con el enlace que te enviamos. Si no lo encuentras, regístrate de nuevo para recibir otro.
error-csrf-title = El formulario ha caducado
error-csrf-body = Por tu seguridad, no se ha podido aceptar el formulario. Vuelve atrás, recarga la página e inténtalo de nuevo.
error-form-title = No se ha podido leer el formulario
error-form-body = No se ha podido leer lo que ha enviado tu navegador. Recarga la página e inténtalo de nuevo.
error-rate-limited-title = Demasiados intentos
error-rate-limited-body = { $count ->
    [one] Espera { $formatted } segundo antes de volver a intentarlo.
   *[other] Espera { $formatted } segundos antes de volver a intentarlo.
}

verify-title = Verifica tu empadronamiento
verify-intro = { council-the-start } comprueba el empadronamiento con su padrón municipal. Una vez verificada tu residencia, puedes participar donde se exige ser vecino o vecina, como en las votaciones de presupuestos. Tu número de documento nunca se guarda tal cual.
verify-submit = Verificar
verify-done-title = Empadronamiento verificado
verify-done-body = Tu residencia está verificada. Gracias.
field-document = DNI o NIE
field-birth-date = Fecha de nacimiento
hint-document = Por ejemplo 12345678Z o X1234567L.
error-document-format = Eso no es un DNI ni un NIE: 8 cifras y una letra, o X, Y o Z, 7 cifras y una letra.
error-document-letter = La letra no corresponde al número; revisa el documento.
error-birth-date = Escribe una fecha de nacimiento válida.
error-verification-failed = No hemos podido verificarte con esos datos. Revísalos; si son correctos, contacta con el ayuntamiento (puede que aún no estés en el padrón o que el documento ya lo use otra cuenta).
error-verification-too-many = Demasiados intentos fallidos hoy. Vuelve a intentarlo mañana o contacta con el ayuntamiento.

staff-title = Equipo
staff-your-roles = Tus funciones en este sitio: { $roles }.
staff-role = Función
staff-role-admin = Administración
staff-role-moderator = Moderación
staff-role-evaluator = Evaluación
staff-role-invalid = Elige una de las funciones.
staff-invite-heading = Invitar a alguien al equipo
staff-invite-submit = Enviar la invitación
staff-invited = Se ha enviado una invitación a { $email }.
staff-members-heading = Miembros del equipo
staff-audit-heading = Últimas acciones del equipo
staff-audit-empty = Aún no hay acciones registradas.
staff-audit-when = Cuándo
staff-audit-who = Quién
staff-audit-what = Qué
staff-audit-on = Sobre
staff-forbidden-title = Solo para el equipo
staff-forbidden-body = Esta página es para el equipo del ayuntamiento. Si te han invitado, sigue el enlace del correo de invitación.
staff-invitation-title = Invitación al equipo
staff-invitation-intro = Te invitan a formar parte del equipo de este sitio con la función de { $role }.
staff-invitation-accept = Aceptar la invitación
staff-invitation-log-in = Esta invitación se envió a { $email }. Inicia sesión con esa dirección, o regístrate con ella si aún no tienes cuenta, y vuelve a abrir el enlace del correo.
staff-invitation-invalid-title = Esta invitación no funciona
staff-invitation-invalid-body = El enlace de invitación no existe, ya se usó o ha caducado. Pide otro a una persona administradora.
staff-invitation-other-title = Esta invitación es para otra persona
staff-invitation-other-body = La invitación se envió a otra dirección de correo. Inicia sesión con la dirección que la recibió.

account-your-data = Tus datos
account-download = Descargar una copia de todos tus datos (JSON)
delete-title = Eliminar tu cuenta
delete-intro = Se borran tus datos personales y se cierran todas tus sesiones. Lo que escribiste se mantiene, como de una cuenta eliminada, y se conservan los recuentos. Si verificaste tu empadronamiento, ese documento no podrá verificar otra cuenta. No se puede deshacer.
delete-password = Tu contraseña, para confirmar
delete-submit = Eliminar mi cuenta
delete-done-title = Cuenta eliminada
delete-done-body = Tu cuenta se ha eliminado y tus datos personales se han borrado.
delete-wrong-password-title = Contraseña incorrecta
delete-wrong-password-body = La contraseña no es correcta, así que la cuenta no se ha eliminado. Vuelve atrás e inténtalo de nuevo.

notifications-title = Notificaciones
notifications-unread = sin leer
notifications-new = Nueva
notifications-empty = Aún no tienes notificaciones. Cuando alguien te responda o cambie algo que sigues, lo verás aquí.
notifications-mark-read = Marcar todas como leídas
notifications-older = Notificaciones anteriores
notifications-preferences = Elige cómo te llegan las notificaciones por correo
preferences-title = Preferencias de correo
preferences-notify-email = Notificaciones por correo
preferences-immediate = Al momento, un correo por cada una
preferences-daily = Un resumen diario
preferences-weekly = Un resumen semanal
preferences-none = Nunca por correo
preferences-save = Guardar preferencias
preferences-saved-title = Preferencias guardadas
preferences-saved-body = Tus preferencias de correo se han guardado.

change-password-title = Cambia tu contraseña
change-password-submit = Cambiar mi contraseña
change-password-done-title = Contraseña cambiada
change-password-done-body = Tu contraseña nueva está guardada. Sigues con la sesión iniciada aquí; las demás sesiones se han cerrado.
field-current-password = Contraseña actual
field-new-password = Contraseña nueva
field-new-email = Nueva dirección de correo
change-email-title = Cambia tu dirección de correo
change-email-submit = Enviar un enlace de confirmación
change-email-sent-title = Revisa tu nueva dirección
change-email-sent-body = Si esa dirección se puede usar, le hemos enviado un enlace. Tu dirección cambia cuando lo sigas; hasta entonces se mantiene la anterior.
change-email-confirm-intro = Pulsa el botón para empezar a usar esta dirección en tu cuenta.
change-email-done-title = Dirección cambiada
change-email-done-body = Tu cuenta usa ahora la nueva dirección. Hemos avisado a la anterior del cambio.

staff-manual-heading = Verificar a un vecino o vecina a mano
staff-manual-intro = Cuando el empadronamiento de alguien se ha comprobado de otra forma (en la oficina municipal, por ejemplo), verifícalo aquí. El motivo queda en el registro de auditoría.
staff-manual-district = Distrito
staff-manual-reason = Motivo
staff-manual-submit = Verificar
staff-verified = { $email } tiene ahora la residencia verificada.
refusal-no-such-person = Ninguna cuenta usa esa dirección.
staff-manual-reason-required = Escribe el motivo (500 caracteres como máximo).

organisation-title = Representar a una organización
organisation-intro = Las asociaciones y otras organizaciones pueden participar con una cuenta propia. Rellena estos datos; el equipo del ayuntamiento los comprobará y tu cuenta aparecerá como la de la organización, con una insignia.
organisation-link = Registrar esta cuenta como asociación u organización
organisation-name = Nombre de la organización
organisation-registry-number = Número de registro
organisation-contact-name = Persona responsable
organisation-contact-phone = Teléfono de la persona responsable
organisation-submit = Enviar a revisión
organisation-applied-title = Enviado a revisión
organisation-applied-body = El equipo del ayuntamiento comprobará los datos. Recibirás una notificación con el resultado.
organisation-status-pending = Tu solicitud para { $name } está pendiente de revisión. Aún puedes corregirla abajo.
organisation-status-verified = Esta cuenta representa a { $name }, verificada por el ayuntamiento.
organisation-status-rejected = La solicitud no se ha aceptado: { $reason }. Puedes corregirla y enviarla de nuevo.
organisation-error-required = Este campo es obligatorio.
organisation-error-invalid = Este valor no es válido.
organisation-notice-verified = Tu organización ha sido verificada
organisation-notice-rejected = La solicitud de tu organización no se ha aceptado
organisation-review-invalid-title = Nada que revisar
organisation-review-invalid-body = La solicitud ya se había revisado, o el rechazo no tenía motivo.
staff-organisations-heading = Organizaciones por revisar
staff-organisations-empty = No hay solicitudes pendientes.
staff-organisation-verify = Verificar
staff-organisation-reject = Rechazar
staff-organisation-reason = Motivo del rechazo

staff-census-heading = Padrón municipal
staff-census-intro = Sube el padrón como archivo CSV: un residente por línea con el número de documento (DNI o NIE), la fecha de nacimiento (AAAA-MM-DD o DD/MM/AAAA) y el código de distrito, separados por comas o puntos y coma. Sustituye al padrón anterior; las personas ya verificadas lo siguen estando. Los números de documento solo se guardan como resúmenes con clave.
staff-census-file = Archivo del padrón (CSV)
staff-census-submit = Subir y revisar el archivo
staff-census-no-file = Elige un archivo para subir.
staff-census-mostly-refused = { $count ->
    [one] Se ha rechazado { $formatted } línea, más de las que se aceptaban: el padrón no ha cambiado. ¿Es el archivo correcto?
   *[other] Se han rechazado { $formatted } líneas, más de las que se aceptaban: el padrón no ha cambiado. ¿Es el archivo correcto?
}

error-too-large-title = Demasiado texto
error-too-large-body = Lo enviado es más grande de lo que admite este formulario. Acórtalo e inténtalo de nuevo.

newsletters-title = Boletines
newsletters-compose = Escribir un boletín
newsletters-subject = Asunto
newsletters-body = Texto
newsletters-body-hint = Markdown: las líneas en blanco separan párrafos, **negrita**, *cursiva*, [enlaces](https://…), listas con "-". El HTML se muestra como texto.
newsletters-audience = Quién lo recibe
newsletters-audience-all = Todas las personas que pidieron el boletín
newsletters-audience-district = Residentes de { $district } que lo pidieron
newsletters-preview = Vista previa
newsletters-test = Enviarme una prueba
newsletters-send = Enviar
newsletters-confirm-heading = ¿Enviar el boletín?
newsletters-confirm = Vas a enviar «{ $subject }» a { $people }. Una vez enviado no se puede deshacer.
newsletters-people = { $count ->
    [one] { $formatted } persona
   *[other] { $formatted } personas
}
newsletters-send-now = Sí, enviar ahora
newsletters-confirm-hint = Si quieres cambiar algo, edita el formulario de arriba y vuelve a pulsar «Enviar».
newsletters-preview-heading = Vista previa
newsletters-audience-size = { $count ->
    [one] Llegaría a { $formatted } persona.
   *[other] Llegaría a { $formatted } personas.
}
newsletters-sent = Boletines enviados
newsletters-none = Aún no se ha enviado ningún boletín.
newsletters-progress = Entrega
newsletters-progress-label = enviados / fallidos / pendientes: { $counts }
newsletters-tested = Hay una copia de prueba en camino a { $email }.
newsletters-queued = { $count ->
    [one] El boletín está en camino a { $formatted } persona.
   *[other] El boletín está en camino a { $formatted } personas.
}
newsletters-error-audience = Elige quién lo recibe.
newsletters-error-empty = Escribe un asunto (200 caracteres como máximo) y un texto.

error-forbidden-title = No permitido
error-forbidden-body = No puedes hacer esto aquí. Si venías de un formulario, recarga la página e inténtalo de nuevo.
platform-login-title = Entrar en Cabildo
platform-login-intro = Para consultoras y para quienes operan la plataforma. La ciudadanía y el personal municipal entran en el sitio de su ayuntamiento.
console-title = Tus ayuntamientos
console-greeting = Hola, { $name }. Entra en cualquiera de tus ayuntamientos como parte del equipo, sin otra contraseña.
console-empty = Aún no tienes ningún ayuntamiento asignado.
console-council = Ayuntamiento
console-open-processes = Procesos abiertos
console-participants = Participantes este mes
console-moderation = Pendiente de moderar
console-moderation-alert = revisar
console-last-activity = Última actividad del equipo
console-open = Abrir
handoff-title = Entrar en { council-the }
handoff-intro = Vienes de la consola de Cabildo. Pulsa el botón para continuar como parte del equipo de este ayuntamiento.
handoff-submit = Continuar
handoff-invalid-title = Este enlace no funciona
handoff-invalid-body = Los enlaces de entrada funcionan una vez, durante un minuto y en el ayuntamiento para el que se crearon. Vuelve a la consola y abre de nuevo el ayuntamiento.

processes-title = Procesos de participación
process-phases = Fases
process-phases-empty = El ayuntamiento aún no ha fijado las fases de este proceso.
process-phase-now = ahora
process-about = Sobre este proceso
component-debates = Debates
component-proposals = Propuestas
component-surveys = Encuestas
component-budget = Presupuestos participativos
component-consultation = Consulta
component-meetings = Encuentros

staff-processes-title = Procesos
staff-processes-list = Todos los procesos
staff-processes-empty = Aún no hay procesos. Crea el primero aquí abajo.
staff-process-title = Título
staff-process-status = Estado
staff-process-status-draft = Borrador
staff-process-status-published = Publicado
staff-process-status-archived = Archivado
staff-process-actions = Acciones
staff-process-publish = Publicar
staff-process-view = Ver
staff-process-new = Nuevo proceso
staff-process-slug = Dirección
staff-process-slug-hint = Minúsculas, cifras y guiones, por ejemplo plan-participacion-2026; aparece en el enlace.
staff-process-summary = Resumen
staff-process-description = Descripción (Markdown)
staff-translation-legend = Textos en otro idioma
staff-translation-hint = Opcional. Si el título queda vacío, quien lea en este idioma verá los textos en el idioma principal del sitio.
staff-phase-titles-legend = Títulos de las fases en otros idiomas
staff-process-scope = Ámbito
staff-process-whole-city = Toda la ciudad
staff-process-create-rule = Quién puede abrir debates y hacer propuestas
staff-process-support-rule = Quién puede apoyar propuestas
staff-process-threshold = Apoyos que necesita una propuesta para prosperar
staff-process-create = Crear como borrador
staff-process-created = El proceso se ha creado como borrador. Añade sus fases y luego publícalo.
staff-process-published = El proceso está publicado.
staff-phase-new = Añadir una fase
staff-phase-process = Proceso
staff-phase-start = Primer día
staff-phase-end = Último día
staff-phase-components = Qué abre la fase
staff-phase-add = Añadir la fase
staff-phase-added = Se ha añadido la fase.
staff-process-error-slug-invalid = La dirección debe tener de 3 a 80 minúsculas, cifras o guiones.
refusal-slug-taken = Otro proceso ya usa esa dirección.
refusal-no-phases = Añade al menos una fase antes de publicar: es lo que dice a la ciudadanía qué puede hacer y hasta cuándo.
staff-process-error-text-too-long = El resumen o la descripción son demasiado largos.
staff-process-error-threshold-invalid = El número de apoyos debe ser un número positivo.
refusal-rules-frozen = La participación ya ha empezado: las reglas solo pueden cambiar con una excepción justificada.
who-registered = Cualquier persona registrada
who-verified = Residentes verificados
who-district = Residentes verificados del distrito

# Participación: debates, propuestas, comentarios, moderación, búsqueda
process-sections = Secciones de este proceso
process-tab-overview = Información
pagination = Páginas
page-previous = Página anterior
page-next = Página siguiente
page-of = Página { $page } de { $pages }
filter-district = Distrito
filter-status = Estado
filter-any = Cualquiera
filter-qualified = Solo propuestas que han alcanzado sus apoyos
filter-apply = Aplicar
form-errors = Revisa el formulario
badge-organisation = Organización
follow-start = Seguir
follow-stop = Dejar de seguir
home-calendar-heading = Calendario
home-latest-heading = Últimas propuestas
home-latest-empty = Aún no hay propuestas. Cuando un proceso abra su fase de propuestas, la tuya puede ser la primera.
proposals-sort = Orden
proposals-sort-supported = Más apoyadas
proposals-sort-newest = Más recientes
proposals-sort-random = Aleatorio
proposals-total = { $count ->
    [one] { $formatted } propuesta
   *[other] { $formatted } propuestas
}
proposals-empty = Ninguna propuesta coincide. Cambia los filtros o haz la primera propuesta.
proposal-new = Nueva propuesta
proposal-edit = Editar la propuesta
proposal-publish = Publicar la propuesta
proposal-field-title = Título
proposal-field-title-hint = De 3 a 200 caracteres: ¿qué debería hacer el ayuntamiento?
proposal-field-summary = Resumen
proposal-field-summary-hint = Un párrafo (como mucho 1.000 caracteres) que se lee en la lista.
proposal-field-body = La propuesta completa
proposal-status-published = Recogiendo apoyos
proposal-status-evaluating = En estudio
proposal-status-accepted = Aceptada
proposal-status-rejected = No aceptada
proposal-status-withdrawn = Retirada
proposal-qualified = Ha alcanzado sus apoyos
proposal-supports = Apoyos
proposal-supports-of = { $count } de { $threshold } apoyos necesarios
proposal-supports-reached = Apoyos: { $count } (necesitaba { $threshold })
proposal-support = Apoyar esta propuesta
proposal-unsupport = Retirar mi apoyo
proposal-you-support = Apoyas esta propuesta.
proposal-login-to-support = Inicia sesión para apoyar esta propuesta
proposal-withdraw = Retirar la propuesta
proposal-answer = Respuesta del ayuntamiento
proposal-staff-answer = Estado y respuesta oficial
proposal-staff-save = Guardar y avisar a quienes la siguen
debate-new = Abrir un debate
debate-open = Abrir el debate
debate-field-title = Pregunta o tema
debate-field-body = Lo que quieres debatir
debate-pinned = Destacado
debate-closed = Cerrado
debate-pin = Destacar
debate-unpin = Quitar de destacados
debate-close = Cerrar el debate
debate-reopen = Reabrir el debate
debates-sort-newest = Más recientes
debates-sort-active = Con comentarios más recientes
debates-total = { $count ->
    [one] { $formatted } debate
   *[other] { $formatted } debates
}
debates-empty = Aún no hay debates. Abre el primero.
comments-heading = { $count ->
    [one] { $formatted } conversación
   *[other] { $formatted } conversaciones
}
comments-count = { $count ->
    [one] { $formatted } comentario
   *[other] { $formatted } comentarios
}
comments-empty = Aún no hay comentarios. Sé la primera persona en opinar.
comment-write = Tu comentario
comment-alignment = Tu postura
comment-neutral = Neutral
comment-for = A favor
comment-against = En contra
comment-official-mark = Publicar como respuesta oficial del ayuntamiento
comment-official = Respuesta oficial
comment-publish = Publicar el comentario
comment-login = Inicia sesión para comentar
comment-closed = Esta conversación ya no admite comentarios.
comment-deleted = Su autor borró este comentario.
comment-hidden = La moderación ocultó este comentario.
comment-edited = editado
comment-up = De acuerdo
comment-down = En desacuerdo
comment-reply = Responder
comment-reply-to = Responder a
comment-edit = Editar
comment-save = Guardar
comment-delete = Borrar
report-this = Denunciar
report-reason = ¿Por qué debería revisarlo la moderación?
report-send = Enviar la denuncia
report-thanks-title = Gracias
report-thanks-body = La moderación lo revisará. Denunciar otra vez no cambia nada hasta que decida.
refusal-title = No se puede hacer
refusal-not-found = No existe o ya no se muestra.
refusal-phase-closed = Ahora no está abierto: consulta el calendario del proceso.
refusal-not-registered = Inicia sesión con una cuenta confirmada.
refusal-not-verified = Solo pueden hacerlo las personas empadronadas que han verificado su residencia. Verifícala desde tu cuenta.
refusal-wrong-district = Solo pueden hacerlo las personas empadronadas en el distrito de este proceso.
refusal-organisations-may-not = En este proceso las organizaciones no apoyan propuestas.
refusal-blocked = La moderación ha bloqueado tu cuenta.
refusal-not-author = Solo puede hacerlo su autor.
refusal-edit-window-over = Ya ha pasado el tiempo para editarlo.
refusal-closed = Está cerrado: ya no admite cambios.
refusal-too-deep = Aquí las respuestas no pueden anidarse más: responde al comentario anterior.
refusal-own-comment = No puedes votar tu propio comentario.
refusal-forbidden = Solo puede hacerlo el personal con el rol adecuado.
refusal-title-invalid = Escribe un título de 3 a 200 caracteres.
refusal-summary-invalid = Escribe un resumen de como mucho 1.000 caracteres.
refusal-body-invalid = El texto está vacío o es demasiado largo.
refusal-district-unknown = Elige uno de los distritos del municipio.
refusal-district-in-use = Un presupuesto tiene una partida para ese distrito: no se puede quitar mientras exista.
refusal-alignment-invalid = Elige a favor, en contra o neutral.
refusal-vote-invalid = Ese voto no es válido.
refusal-reason-invalid = Explica el motivo en como mucho 1.000 caracteres.
refusal-message-invalid = Escribe un mensaje de como mucho 2.000 caracteres.
refusal-answer-invalid = La respuesta es demasiado larga.
refusal-status-invalid = Elige un estado.
refusal-currency-invalid = Usa un código de moneda de tres letras, como EUR.
refusal-percent-invalid = Indica un porcentaje de 0 a 100.
refusal-number-invalid = Indica un número entero dentro de los límites.
refusal-dates-invalid = Las fases deben sucederse: proyectos, revisión, apoyos, votación, revisión de votos, resultados.
refusal-headings-invalid = Un presupuesto necesita al menos una partida (y como mucho 200).
refusal-heading-name-invalid = Pon a cada partida un nombre de como mucho 200 caracteres.
refusal-amount-invalid = Indica un importe mayor que cero.
refusal-max-projects-invalid = Indica cuántos proyectos puede tener una papeleta como máximo (obligatorio en el voto por aprobación).
refusal-heading-twice = Cada distrito (y la ciudad entera) solo puede tener una partida.
refusal-budget-exists = Este proceso ya tiene un presupuesto.
refusal-voting-started = La votación ha empezado: los importes, el tipo de voto, quién vota, la regla y las fechas de antes de la votación solo pueden cambiarse con un reinicio que descarta los votos, indicando el motivo.
refusal-description-invalid = Describe el proyecto en como mucho 20.000 caracteres.
refusal-location-invalid = Indica dónde en como mucho 500 caracteres.
refusal-explanation-required = Explica por qué el proyecto no es viable.
refusal-explanation-invalid = La explicación es demasiado larga.
refusal-not-feasible = Solo los proyectos viables pasan a la votación.
refusal-not-on-ballot = Ese proyecto no está en esta papeleta.
refusal-wrong-heading = Ese proyecto pertenece a otra partida.
refusal-over-budget = No cabe: tu papeleta costaría más que el importe de esta partida.
refusal-too-many-projects = Tu papeleta ya tiene tantos proyectos como se permite.
refusal-empty-ballot = Elige al menos un proyecto antes de enviar.
refusal-below-min-spend = Tu papeleta gasta menos de lo que pide este presupuesto: añade proyectos antes de enviarla.
refusal-ballot-final = Tu papeleta está enviada y este presupuesto no permite cambios.
refusal-too-many-supports = Ya has dado todos los apoyos permitidos en esta partida: retira uno antes.
refusal-results-unavailable = No se pueden calcular los resultados de esta partida.
done-created = Publicado. Gracias por participar.
done-edited = Tus cambios están guardados.
done-supported = Gracias: tu apoyo cuenta.
done-unsupported = Has retirado tu apoyo.
done-withdrawn = La propuesta se ha retirado.
done-answered = Guardado; se avisa a quienes la siguen.
done-acted = Hecho.
notice-comment-new = Nuevo comentario en «{ $subject }»
notice-comment-reply = Nueva respuesta a tu comentario en «{ $subject }»
notice-proposal-qualified = «{ $subject }» ha alcanzado los apoyos que necesitaba
notice-proposal-status = «{ $subject }» tiene novedades del ayuntamiento
notice-user-blocked = La moderación ha bloqueado tu cuenta
notice-state = Estado: { $state }
open-data-heading = Datos abiertos
open-data-intro = Todo lo público de este proceso, sin datos personales, para descargar y reutilizar.
open-data-comments = Comentarios
search-title = Buscar
search-label = Buscar procesos, debates y propuestas
search-in = Buscar en
search-submit = Buscar
search-kind-all = Todo
search-kind-process = Procesos
search-kind-debate = Debates
search-kind-proposal = Propuestas
search-kind-comment = Comentarios
search-kind-project = Proyectos de presupuestos
search-hint = Escribe unas palabras; las "comillas" buscan una frase y -palabra la excluye.
search-empty = Nada coincide. Prueba con otras palabras, o con menos.
search-count = { $count ->
    [one] { $formatted } resultado
   *[other] { $formatted } resultados
}
activity-title = Mi actividad
activity-empty = Aún no has participado. Empieza por los
activity-what = Qué
activity-about = Sobre
activity-when = Cuándo
activity-proposal = Propuesta
activity-debate = Debate
activity-comment = Comentario
activity-support = Apoyo
moderation-title = Moderación
moderation-queue = Contenido denunciado
moderation-empty = Nada pendiente: no hay denuncias abiertas.
moderation-reports = { $count ->
    [one] { $formatted } denuncia
   *[other] { $formatted } denuncias
}
moderation-hidden = Oculto
moderation-blocked = bloqueada
moderation-hide = Ocultar
moderation-restore = Volver a mostrar
moderation-dismiss = Descartar las denuncias
moderation-block = Bloquear a quien lo escribió
moderation-block-message = Mensaje para quien lo escribió
moderation-unblock = Desbloquear
moderation-restore-hidden = { $count ->
    [one] Volver a mostrar lo que ocultó el bloqueo (1 elemento)
   *[other] Volver a mostrar lo que ocultó el bloqueo ({ $formatted } elementos)
}
moderation-blocked-accounts = Cuentas bloqueadas
moderation-blocked-empty = No hay cuentas bloqueadas.
moderation-done-hidden = Oculto; las denuncias se han cerrado.
moderation-done-restored = Se muestra de nuevo; las denuncias se han cerrado.
moderation-done-dismissed = Denuncias descartadas.
moderation-done-blocked = Cuenta bloqueada y su contenido oculto.
moderation-done-unblocked = La cuenta puede volver a participar.
proposal-image = Una imagen para la propuesta
proposal-image-alt = Imagen de la propuesta
staff-process-image = Imagen de cabecera
staff-process-image-saved = La imagen se ha guardado.
image-hint = PNG, JPEG, WebP o GIF, como mucho 5 MB.
image-upload = Subir
refusal-image-type = Envía una imagen PNG, JPEG, WebP o GIF.
refusal-image-too-large = La imagen ocupa más de 5 MB.
refusal-image-missing = Elige primero una imagen.
staff-process-edit = Editar
staff-process-save = Guardar los cambios
staff-process-updated = El proceso se ha actualizado.
staff-process-archive = Archivar
staff-process-archived = El proceso está archivado: ya no aparece en la web pública.
staff-phase-remove = Quitar
staff-phase-removed = La fase se ha quitado.
staff-process-error-phase-started = Una fase que ya ha empezado se mantiene: hay gente que ha participado en ella.
budget-phase-now = Ahora:
budget-phases = Fases del presupuesto
budget-phase-upcoming = Próximamente
budget-phase-accepting = Presentación de proyectos
budget-phase-reviewing = Evaluación de viabilidad
budget-phase-selecting = Apoyos a proyectos
budget-phase-balloting = Votación
budget-phase-tallying = Recuento de votos
budget-phase-finished = Resultados
budget-phase-dates = { $from } – { $until }
budget-phase-from = desde el { $from }
budget-deadline-accepting = Puedes presentar proyectos hasta el { $date }, ese día incluido.
budget-deadline-selecting = Puedes apoyar proyectos hasta el { $date }, ese día incluido.
budget-deadline-balloting = Puedes votar hasta el { $date }, ese día incluido.
budget-style-knapsack = Vota proyectos hasta el importe de cada partida
budget-style-approval = Vota hasta un número de proyectos en cada partida
budget-rule-greedy = Primero los proyectos más votados
budget-rule-mes = Método de Partes Iguales
budget-rule-mes-greedy = Método de Partes Iguales y, con el dinero restante, los más votados
budget-rule-greedy-explained = Los proyectos se toman de más a menos votados; cada uno se financia si aún cabe en el dinero restante y se salta si no cabe.
budget-rule-mes-explained = El dinero se reparte a partes iguales entre quienes votan. Un proyecto se financia cuando quienes lo votaron pueden pagarlo juntos con sus partes, empezando por el más barato por persona; así cada grupo de votantes decide sobre su parte justa del presupuesto, no solo el grupo mayor.
budget-rule-mes-greedy-explained = Primero el Método de Partes Iguales reparte el dinero a partes iguales y financia lo que cada grupo de votantes puede pagar junto; después el dinero restante va a los proyectos más votados que aún caben.
budget-headings = Partidas
budget-headings-empty = Este presupuesto aún no tiene partidas.
budget-max-projects = { $count ->
    [one] como mucho { $formatted } proyecto
   *[other] como mucho { $formatted } proyectos
}
budget-see-results = Ver los resultados
budget-your-ballot = Tu papeleta
budget-ballot-spent = Has gastado { $total }; quedan { $remaining }.
budget-ballot-projects = { $count ->
    [one] { $formatted } proyecto elegido
   *[other] { $formatted } proyectos elegidos
}
budget-ballot-submitted = Tu papeleta está enviada y cuenta.
budget-ballot-not-sent = Tu papeleta aún no está enviada: no cuenta hasta que pulses «Enviar mi papeleta».
budget-ballot-submit = Enviar mi papeleta
budget-login-to-vote = Inicia sesión para votar
budget-projects = Proyectos
budget-projects-empty = Aún no hay proyectos aquí.
budget-add = Añadir «{ $title }» a mi papeleta
budget-remove = Quitar «{ $title }» de mi papeleta
budget-does-not-fit = No cabe en lo que queda de tu papeleta.
budget-feasibility-pending = Pendiente de evaluación
budget-feasibility-feasible = Viable
budget-feasibility-unfeasible = No viable
budget-feasibility-needs-info = Falta información
budget-done-added = Añadido a tu papeleta.
budget-done-removed = Quitado de tu papeleta.
budget-done-submitted = Tu papeleta está enviada. Gracias por votar.
budget-results-title = Resultados: { $heading }
budget-results-total = Los proyectos ganadores cuestan { $total } de { $amount }.
budget-chart-title = Votos y coste por proyecto; los ganadores llevan una marca
budget-chart-caption = Votos por proyecto (papeletas en línea y votos en papel; las barras verdes son los ganadores) y, debajo, su coste (barra azul fina).
budget-results-table = Cada proyecto, sus votos, su coste y por qué ganó o no
budget-project = Proyecto
budget-votes = Votos
budget-cost = Coste
budget-outcome = Resultado
budget-why = Por qué
budget-won = Financiado
budget-lost = No financiado
budget-project-outcome = { $outcome }, con { $votes }
budget-votes-count = { $count ->
    [one] { $formatted } voto
   *[other] { $formatted } votos
}
budget-results-csv = Descargar los resultados (CSV)
budget-results-excel = Descargar los resultados para Excel (CSV con punto y coma)
budget-results-json = Descargar los resultados (JSON)
budget-reason-fitted = Cabía: quedaban { $remaining } cuando llegó su turno.
budget-reason-did-not-fit = No cabía: solo quedaban { $remaining } cuando llegó su turno.
budget-reason-bought = Sus votantes lo pagaron juntos en la ronda { $round }, como mucho { $share } cada uno.
budget-reason-unaffordable = Sus votantes no podían pagarlo juntos: en la ronda { $round } les quedaban { $money } entre todos.
budget-reason-no-votes = Nadie lo votó.
budget-propose = Propón un proyecto
budget-propose-submit = Proponer este proyecto
budget-login-to-propose = Entra para proponer un proyecto
budget-project-title = Título
budget-project-description = Qué es y por qué importa
budget-project-location = Dónde (opcional)
budget-project-cost = Coste estimado
budget-project-cost-hint = En la moneda del presupuesto, p. ej. 25000 o 1500,50. El equipo evaluador del ayuntamiento fijará el coste oficial.
budget-project-image-alt = Imagen del proyecto
budget-supports = Apoyos
budget-supports-count = { $count ->
    [one] { $formatted } apoyo
   *[other] { $formatted } apoyos
}
budget-supports-limit = { $count ->
    [one] Puedes apoyar { $formatted } proyecto en esta partida.
   *[other] Puedes apoyar hasta { $formatted } proyectos en esta partida.
}
budget-support = Apoyar este proyecto
budget-unsupport = Retirar mi apoyo
budget-support-title = Apoyar «{ $title }»
budget-unsupport-title = Retirar mi apoyo a «{ $title }»
budget-you-support = Apoyas este proyecto.
budget-login-to-support = Entra para apoyar este proyecto
budget-review = Informe de viabilidad
budget-on-ballot = En la papeleta
budget-execution = Ejecución
budget-execution-planned = Prevista
budget-execution-in-progress = En marcha
budget-execution-done = Terminada
budget-update-photo-alt = Foto de las obras el { $date }
budget-done-proposed = Tu proyecto está propuesto. El ayuntamiento estudiará si es viable y te lo hará saber.
budget-done-supported = Apoyo contado.
budget-done-unsupported = Apoyo retirado.
notice-project-reviewed = El ayuntamiento ha evaluado el proyecto «{ $subject }»
notice-project-update = Novedades de la ejecución de «{ $subject }»
refusal-choice-invalid = Elige una de las opciones ofrecidas.
refusal-not-qualified = Solo las propuestas que alcanzaron sus apoyos pueden convertirse en proyectos.
refusal-already-imported = Esa propuesta ya es un proyecto.
refusal-not-a-winner = Solo se sigue la ejecución de los proyectos ganadores de un presupuesto terminado.
staff-process-budget = Presupuesto participativo
staff-budget-title = Presupuesto participativo de «{ $process }»
staff-budget-none = Este proceso aún no tiene presupuesto. Configúralo abajo: una vez guardado, sus partidas reciben proyectos.
staff-budget-create = Configurar el presupuesto
staff-budget-edit = Ajustes, calendario y partidas
staff-budget-default-title = Presupuesto participativo
staff-budget-name = Título
staff-budget-currency = Moneda (código de tres letras)
staff-budget-style = Cómo se vota
staff-budget-min-spend = Parte mínima del importe de una partida que debe gastar una papeleta (%)
staff-budget-max-supports = Apoyos por persona y partida
staff-budget-max-supports-hint = Déjalo vacío para no poner límite.
staff-budget-verified-only = Solo votan las personas empadronadas verificadas
staff-budget-changeable = Se puede cambiar una papeleta enviada hasta el fin de la votación
staff-budget-rule = Cómo se eligen los ganadores
staff-budget-tie = Empates
staff-budget-tie-id = Primero el número de proyecto menor
staff-budget-tie-cheapest = Primero el proyecto más barato, luego el más votado
staff-budget-completion = Cómo se completa el Método de Partes Iguales
staff-budget-completion-exhaustive = Subir la parte de cada votante hasta que no quepa nada más (recomendado)
staff-budget-completion-until-over-budget = Subir la parte de cada votante hasta que el resultado supere el importe
staff-budget-from = { $phase } desde
staff-budget-dates-hint = Cada fase empieza a las 00:00 (UTC) de su día y dura hasta que empieza la siguiente. La votación debe durar al menos un día.
staff-budget-headings-hint = Una partida para toda la ciudad y/o una por distrito. Importes en la moneda del presupuesto (p. ej. 300000 o 1500,50). Vacía el nombre y el importe de una partida para quitarla (solo se quitan partidas sin proyectos).
staff-budget-heading-name = Partida
staff-budget-heading-district = Quién vota
staff-budget-heading-amount = Importe
staff-budget-heading-max = Máximo de proyectos por papeleta
staff-budget-reset-reason = Motivo del reinicio
staff-budget-reset-hint = La votación ha empezado. Puedes cambiar el título, los nombres de las partidas y cuándo acaba la votación sin tocar las papeletas. Cualquier otro cambio descarta todas las papeletas emitidas: escribe aquí el motivo, que queda en el registro de auditoría.
staff-budget-save = Guardar
staff-budget-done-saved = El presupuesto está guardado.
staff-budget-done-created = El proyecto está creado.
staff-budget-done-imported = La propuesta es ahora un proyecto pendiente de evaluación.
staff-budget-done-reviewed = La evaluación está guardada; se ha avisado a la autora o autor y a quienes lo siguen.
staff-budget-translate = Textos del proyecto n.º { $number } en otros idiomas
staff-budget-done-translated = Textos en otros idiomas guardados.
staff-budget-done-ballot = La papeleta está actualizada.
staff-budget-done-paper = Los votos en papel están guardados.
staff-budget-done-paper-file = Los votos en papel del archivo están guardados.
staff-budget-done-update = La novedad está publicada; se ha avisado a quienes siguen el proyecto.
staff-budget-done-recounted = El recuento nuevo está publicado; el anterior sigue visible en la página de resultados.
staff-budget-recount = Recontar
staff-budget-recount-hint = Los resultados publicados no cambian solos. Si hay que contar de nuevo (por ejemplo, llegan actas de papel tarde), el recuento nuevo sustituye al publicado, el anterior sigue a la vista de todo el mundo y queda en el registro de actividad con el motivo.
staff-budget-recount-reason = Motivo del recuento
staff-budget-recount-submit = Recontar y publicar
staff-budget-frozen = El proyecto n.º { $number } está en la papeleta y la votación ya empezó: su coste y su viabilidad no se pueden cambiar.
budget-recounted = Resultados de un recuento del { $date }. Motivo: { $reason }
budget-earlier-counts = Recuentos anteriores
budget-earlier-count = Recuento del { $date }: ganaron { $winners }.
staff-budget-public-page = página pública
staff-budget-projects-empty = Aún no hay proyectos en esta partida. La ciudadanía los propone mientras se aceptan proyectos; también puedes crearlos o importar propuestas que alcanzaron sus apoyos.
staff-budget-feasibility = Viabilidad
staff-budget-supports = Apoyos
staff-budget-on-ballot = En la papeleta
staff-budget-paper-votes = Votos en papel
staff-budget-yes = Sí
staff-budget-no = No
staff-budget-review = Evaluar el proyecto n.º { $number }
staff-budget-explanation = Explicación para quien lo propuso y para el público
staff-budget-explanation-hint = Obligatoria si el proyecto no es viable.
staff-budget-official-cost = Coste oficial
staff-budget-save-review = Guardar la evaluación
staff-budget-put-on = Poner el proyecto n.º { $number } en la papeleta
staff-budget-take-off = Quitar el proyecto n.º { $number } de la papeleta
staff-budget-paper-of = Votos en papel del proyecto n.º { $number }
staff-budget-execution = Ejecución del proyecto n.º { $number }
staff-budget-status = Estado
staff-budget-progress = Avance (%)
staff-budget-update-text = Qué ha pasado
staff-budget-photo = Foto (opcional, como mucho 5 MB)
staff-budget-post-update = Publicar la novedad
staff-budget-paper-file = Importar votos en papel escrutados
staff-budget-paper-file-hint = Un archivo CSV con una línea por proyecto: su número y sus votos en papel (p. ej. «12,340»). Se salta una primera línea con los nombres de las columnas. Una sola línea errónea rechaza el archivo entero.
staff-budget-paper-file-field = Archivo del escrutinio (CSV)
staff-budget-import = Importar
staff-budget-importable = Propuestas que alcanzaron sus apoyos
staff-budget-importable-empty = Ninguna propuesta de este proceso ha alcanzado aún sus apoyos (o todas son ya proyectos).
staff-budget-estimated-cost = Coste estimado
staff-budget-import-proposal = Convertir en proyecto
staff-budget-new-project = Nuevo proyecto del ayuntamiento
staff-budget-create-project = Crear el proyecto
staff-budget-file-line = Línea { $line }: { $problem }
staff-budget-file-file-too-large = El archivo ocupa más de 1 MB.
staff-budget-file-file-empty = El archivo no cuenta ningún proyecto.
staff-budget-file-line-invalid = escribe un número de proyecto y sus votos, separados por una coma.
staff-budget-file-project-unknown = ese número de proyecto no está en esta partida.
staff-budget-file-project-twice = ese proyecto aparece dos veces.
staff-budget-file-not-utf8 = El archivo no es texto UTF-8: guárdalo como CSV (UTF-8).
budget-project-picture = Una imagen (opcional; PNG, JPEG, WebP o GIF, como mucho 5 MB)
budget-done-pictured = La imagen está guardada.
budget-paper-votes = De ellos, en papel
staff-budgets-heading = Presupuestos participativos
staff-budgets-empty = Ningún proceso tiene aún presupuesto. Quien administra lo configura desde la lista de procesos.
staff-budgets-projects = { $count ->
    [one] { $formatted } proyecto
   *[other] { $formatted } proyectos
}
staff-budgets-pending = { $count ->
    [one] { $formatted } pendiente de evaluación
   *[other] { $formatted } pendientes de evaluación
}
budget-login-to-support-projects = Entra para apoyar proyectos
refusal-invitation-invalid = El enlace de invitación no existe, ya se usó o ha caducado. Pide otro a una persona administradora.
refusal-other-address = La invitación se envió a otra dirección de correo. Inicia sesión con la dirección que la recibió.
refusal-too-many-tokens = Revoca un token antes de crear otro (20 como máximo).
error-notify-email-invalid = Elige cómo quieres recibir los avisos por correo.
staff-process-error-dates-invalid = Indica un primer y un último día, el último no anterior al primero.
table-scroll = Tabla (en pantallas estrechas, desplázala de lado)
next-verify = Verificar mi residencia
legal-nav = Información legal
legal-legal-notice-title = Aviso legal
legal-privacy-title = Política de privacidad
legal-terms-title = Condiciones de uso
legal-accessibility-title = Accesibilidad
legal-cookies-title = Cookies
legal-missing = (dato pendiente de publicar por el Ayuntamiento)
legal-other-language = Este texto todavía no está disponible en tu idioma; se muestra en el idioma principal del sitio.
staff-legal-title = Textos legales
staff-legal-choose = Elige el texto que quieres revisar. Cada uno empieza con un texto por defecto rellenado con los datos del Ayuntamiento; puedes adaptarlo en cada idioma del sitio.
staff-legal-intro = Escribe en Markdown. Si dejas un campo vacío, o con el texto por defecto, se seguirá mostrando el texto por defecto.
staff-legal-see = Ver la página publicada
staff-legal-text = Texto en { $language }
staff-legal-default = Ahora se muestra el texto por defecto.
staff-legal-edited = Texto propio del Ayuntamiento.
staff-legal-save = Guardar los textos
staff-legal-saved = Textos guardados y publicados.
consent-read = Léelas aquí:
staff-nav-entry = Gestión
staff-nav-label = Menú de gestión
staff-nav-overview = Resumen
staff-nav-processes = Procesos y presupuestos
staff-nav-moderation = Moderación
staff-nav-newsletters = Boletines
staff-nav-audit = Registro de actividad
staff-nav-legal = Textos legales
staff-audit-intro = Todo lo que hace el equipo queda anotado aquí, con quién, qué y cuándo (hora local). No se puede borrar ni cambiar.
staff-audit-all = Ver todo el registro
staff-audit-anyone = Cualquier persona
staff-audit-area = Área
staff-audit-any-area = Todas las áreas
staff-audit-from = Desde el día
staff-audit-until = Hasta el día (incluido)
staff-audit-filter = Filtrar
staff-audit-clear = Quitar los filtros
staff-audit-csv = Descargar en CSV (Excel)
staff-audit-older = Entradas anteriores
staff-audit-code = Código
audit-actor-cli = Operación de la plataforma (línea de órdenes)
audit-actor-platform = Consultoría: { $email }
audit-actor-gone = Cuenta eliminada
audit-area-process = Procesos
audit-area-budget = Presupuestos
audit-area-proposal = Propuestas
audit-area-debate = Debates
audit-area-moderation = Moderación
audit-area-user = Bloqueos
audit-area-organisation = Organizaciones
audit-area-census = Padrón
audit-area-newsletter = Boletines
audit-area-staff = Equipo
audit-area-legal = Textos legales
audit-area-settings = Ajustes del sitio
audit-settings-update = Cambió los ajustes del sitio
audit-settings-logo = Cambió el logotipo
audit-budget-translate = Tradujo un presupuesto
audit-budget-project-translate = Tradujo un proyecto
audit-area-account = Cuentas
audit-area-platform = Plataforma
audit-account-delete = Eliminó una cuenta
audit-account-password = Cambió la contraseña de una cuenta
audit-budget-create = Creó un presupuesto
audit-budget-update = Cambió la configuración de un presupuesto
audit-budget-reset = Reinició la votación de un presupuesto
audit-budget-recount = Repitió el recuento de un presupuesto
audit-budget-paper-votes = Anotó votos en papel
audit-budget-paper-votes-import = Importó votos en papel
audit-budget-project-ballot = Cambió qué proyectos van a votación
audit-budget-project-create = Añadió un proyecto
audit-budget-project-import = Importó proyectos
audit-budget-project-review = Evaluó un proyecto
audit-budget-project-update = Publicó un avance de obra
audit-census-import = Cargó el padrón
audit-census-verify-manually = Verificó a una persona a mano
audit-debate-pin = Destacó un debate
audit-debate-unpin = Dejó de destacar un debate
audit-debate-close = Cerró un debate
audit-debate-reopen = Reabrió un debate
audit-legal-update = Cambió un texto legal
audit-moderation-hidden = Ocultó un contenido denunciado
audit-moderation-restored = Volvió a mostrar un contenido
audit-moderation-dismissed = Descartó una denuncia
audit-newsletter-send = Envió un boletín
audit-newsletter-test = Envió un boletín de prueba
audit-organisation-verify = Verificó una organización
audit-organisation-reject = Rechazó una organización
audit-platform-adopt = Vinculó una cuenta del sitio a su cuenta de consultoría
audit-platform-handoff = Entró desde la consola de consultoría
audit-platform-revoke = Cerró las sesiones de una cuenta
audit-process-create = Creó un proceso
audit-process-update = Cambió un proceso
audit-process-publish = Publicó un proceso
audit-process-archive = Archivó un proceso
audit-process-image = Cambió la imagen de un proceso
audit-process-phase-add = Añadió una fase
audit-process-phase-remove = Quitó una fase
audit-process-rules = Cambió quién puede participar en un proceso
audit-process-rules-override = Forzó un cambio de reglas en un proceso
audit-proposal-status = Cambió el estado de una propuesta
audit-staff-invite = Invitó a alguien al equipo
audit-staff-accept = Aceptó una invitación al equipo
audit-staff-grant = Dio un rol del equipo
audit-user-block = Bloqueó una cuenta
audit-user-unblock = Desbloqueó una cuenta
staff-census-preview-heading = Revisa el archivo antes de sustituir el padrón
staff-census-preview-summary = El archivo tiene { $residents } residentes; se omiten { $duplicates } líneas repetidas y se rechazan { $rejected } líneas.
staff-census-preview-shrinks = Atención: el padrón actual tiene { $now } residentes y este archivo { $new }. ¿Es el archivo completo?
staff-census-preview-errors = Primeras líneas rechazadas:
staff-census-district = Distrito
staff-census-in-file = En el archivo
staff-census-now = En el padrón actual
staff-census-preview-question = Si todo está bien, sustituye el padrón con este archivo. Hasta entonces no cambia nada.
staff-census-confirm = Sustituir el padrón con este archivo
staff-census-cancel = Descartar el archivo
staff-census-replaced = Padrón sustituido: { $residents } residentes. Las personas ya verificadas lo siguen estando.
staff-census-upload-gone = Ese archivo ya no está pendiente (se confirmó o se descartó, o pasó más de un día). Súbelo de nuevo.
staff-census-cancelled = Archivo descartado; el padrón no ha cambiado.
staff-census-line-error = línea { $line }: { $reason }
census-reason-document-format = el documento no es un DNI ni un NIE
census-reason-document-letter = la letra del documento no corresponde al número
census-reason-birth-date = la fecha de nacimiento no es válida
census-reason-district-unknown = ese distrito no existe en este sitio
census-reason-field-count = no tiene los tres campos
census-reason-quotes = unas comillas no se cierran
confirm-archive = El proceso dejará de verse en el sitio y nadie podrá participar en él. Lo guardado se conserva.
confirm-archive-button = Sí, archivar «{ $title }»
confirm-phase-remove-button = Sí, quitar la fase «{ $title }»
confirm-withdraw = La propuesta dejará de recoger apoyos. No se puede deshacer.
confirm-withdraw-button = Sí, retirar la propuesta
comment-delete-warning = El comentario se sustituirá por un aviso de que lo borraste. No se puede deshacer.
comment-delete-confirm = Sí, borrar el comentario
profile-edit-title = Tu perfil
profile-nickname-hint = Es el nombre que ven los demás junto a lo que publicas.
profile-save = Guardar el perfil
profile-saved-title = Perfil guardado
profile-saved-body = Tus datos se han actualizado.

# Answers of the JSON API
api-not-found = No existe ese recurso.
api-no-such-call = Esta llamada no existe en la API.
api-unauthenticated = Inicia sesión primero.
api-csrf = Envía el token CSRF de la sesión en la cabecera X-CSRF-Token.
api-rate-limited = Demasiados intentos; espera antes de volver a intentarlo.
api-invalid-fields = Algunos campos no son aceptables (ver «fields»).
api-malformed = El cuerpo no es el JSON que espera esta llamada: { $reason }
api-delete-wrong-password = La contraseña no es correcta; no se ha borrado nada.
api-session-required = Los tokens se crean desde una sesión iniciada, no con otro token.
api-token-not-found = No existe ese token.

# Site settings
staff-nav-settings = Ajustes del sitio
settings-title = Ajustes del sitio
settings-intro = Se aplican a todo el sitio al momento. Si el ayuntamiento se define en un archivo tenants/*.toml, aplicar ese archivo de nuevo sustituye estos valores.
settings-article = Artículo del nombre del ayuntamiento
settings-article-hint = Para escribir «del { $council }» o «de { $council }» en los textos en castellano.
settings-article-none = Sin artículo
settings-languages = Idiomas del sitio
settings-default-language = Idioma principal
settings-time-zone = Zona horaria
settings-time-zone-hint = Nombre IANA, por ejemplo Europe/Madrid o Atlantic/Canary. Las fechas de fases y votaciones se muestran en esta zona.
settings-colours = Colores
settings-colours-hint = El color principal se usa en la cabecera y los enlaces; el de realce, en etiquetas. El color del texto sobre cada uno se elige para que se lea bien.
settings-primary = Color principal
settings-accent = Color de realce
settings-welcome = Texto de bienvenida de la portada
settings-welcome-hint = Uno por idioma del sitio; quien lea en un idioma sin texto verá el del idioma principal.
settings-save = Guardar los ajustes
settings-logo = Logotipo
settings-logo-current = Logotipo actual
settings-logo-none = Todavía no hay logotipo: la cabecera muestra solo el nombre.
settings-logo-file = Imagen del logotipo (PNG, JPEG, WebP o GIF, hasta 5 MB)
settings-done-saved = Ajustes guardados: el sitio ya los usa.
settings-done-logo = Logotipo guardado.
settings-error-article = Elige uno de los artículos de la lista.
settings-error-languages = Marca al menos un idioma y elige como principal uno de los marcados.
settings-error-time-zone = Esa zona horaria no existe; escribe un nombre como Europe/Madrid.
settings-error-colour = Elige un color válido.
settings-error-contrast = Los enlaces se dibujan en el color principal sobre blanco, donde alcanza un contraste de { $ratio }:1; el texto necesita al menos 4,5:1 (WCAG AA). Elige un tono más oscuro.
settings-error-welcome = El texto de bienvenida admite hasta 2000 caracteres por idioma.
settings-districts = Distritos
settings-districts-hint = El padrón asigna a cada residente el código de un distrito. Para quitar uno, vacía su fila; para añadir, usa una fila en blanco. Un distrito sin población cuenta 0.
settings-district-code = Código
settings-district-name = Nombre
settings-district-population = Población
settings-error-districts = Revisa los distritos: código de 1 a 40 letras minúsculas, cifras o guiones, sin repetir; un nombre; y la población en cifras.

# Set-up checklist
onboarding-heading = Puesta en marcha del sitio
onboarding-progress = { $done } de { $total } hechos
onboarding-all-done = Todo listo: el sitio está preparado para la ciudadanía.
onboarding-done = Hecho
onboarding-todo = Pendiente
onboarding-article = Escribe cómo se nombra al ayuntamiento (con su artículo)
onboarding-logo = Sube el logotipo
onboarding-colours = Elige los colores del ayuntamiento
onboarding-settings = Revisa los idiomas y la zona horaria
onboarding-districts = Define los distritos y su población
onboarding-census = Carga el padrón
onboarding-legal = Completa los datos de los textos legales
onboarding-process = Publica el primer proceso
