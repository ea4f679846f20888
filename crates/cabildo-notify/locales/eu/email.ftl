# The council named in a sentence (Spanish adds the article of its name).
council-the = { $council }
council-the-start = { $council }
council-of = { $council }

email-footer = Mezu hau udalaren parte-hartze gunearen bidez jaso duzu ({ $council }).
email-footer-automatic = Mezu automatikoa da; erantzunak ez dira irakurtzen.
email-open = Ikusi gunean
email-preferences = Aukeratu zein abisu jaso nahi dituzun posta bidez eta zenbatero
digest-daily-subject = Zure eguneko laburpena: { $council }
digest-weekly-subject = Zure asteko laburpena: { $council }
digest-intro = Hau da gure azken mezutik gertatu dena:
digest-preferences = Mezu hauek zenbatero jaso nahi dituzun aukera dezakezu zure jakinarazpen-hobespenetan.
newsletter-footer = Buletin hau jasotzen duzu eskatu zenuelako. Igorlea: { $council }.
newsletter-unsubscribe = Kendu buletin hauen harpidetza

account-confirm-subject = Berretsi zure helbide elektronikoa: { $council }
account-confirm-body = Ongi etorri! Parte-hartze gunean ({ $council }) zure kontua sortzen amaitzeko, berretsi helbide hau zurea dela. Estekak 48 orduz funtzionatzen du.

    Ez bazara erregistratu, ez egin kasurik mezu honi: ez da konturik aktibatuko.
account-confirm-action = Berretsi nire helbidea
account-reset-subject = Aukeratu pasahitz berri bat: { $council }
account-reset-body = Norbaitek helbide hau duen kontuaren pasahitza berrezartzea eskatu du parte-hartze gunean ({ $council }). Estekak ordubetez eta behin bakarrik funtzionatzen du.

    Zu izan ez bazara, ez egin kasurik mezu honi: zure pasahitza ez da aldatuko.
account-reset-action = Aukeratu pasahitz berri bat
account-exists-subject = Zure kontua: { $council }
account-exists-body = Norbait parte-hartze gunean ({ $council }) erregistratzen saiatu da helbide honekin, baina helbide honek badu kontu bat dagoeneko.

    Zu izan bazara, hasi saioa, edo aukeratu pasahitz berri bat ahaztu baduzu. Bestela, ez egin kasurik mezu honi.
account-exists-action = Pasahitza ahaztu dut

account-invite-subject = Taldera gonbidatzen zaituzte: { $council }
account-invite-body = Parte-hartze guneko taldean sartzera gonbidatu zaituzte ({ $council }). Hasi saioa helbide honekin, edo sortu kontu bat harekin, eta onartu gonbidapena. Estekak 7 egunez funtzionatzen du.
account-invite-action = Ikusi gonbidapena

account-email-subject = Berretsi zure helbide elektroniko berria: { $council }
account-email-body = Helbide hau parte-hartze guneko zure kontuan erabiltzea eskatu duzu ({ $council }). Berretsi aldaketa egiteko; ordura arte, aurrekoa mantenduko da. Estekak 48 orduz funtzionatzen du.

    Zuk eskatu ez baduzu, ez egin kasurik mezu honi.
account-email-action = Berretsi nire helbide berria
account-email-changed-subject = Zure helbide elektronikoa aldatu da: { $council }
account-email-changed-body = Parte-hartze gunean ({ $council }) helbide hau erabiltzen zuen kontuak beste helbide bat erabiltzen du orain.

    Aldaketa zuk egin ez baduzu, aukeratu pasahitz berri bat lehenbailehen eta jarri harremanetan udalarekin.
account-email-changed-action = Aukeratu pasahitz berri bat

# Mail of the platform itself, about a council signing up.
email-footer-platform = Mezu hau { $council } plataformatik jaso duzu; zure udala bertan eman da alta.
account-signup-confirm-subject = Berretsi zure udalaren alta { $council }-n
account-signup-confirm-body = Eskerrik asko zure udalari alta emateagatik. Berretsi helbide hau zurea dela, eta parte-hartze gunea segundo gutxitan prest egongo da, zu administratzaile zarela. Estekak 24 orduz balio du. Zu izan ez bazara, ez egin kasurik mezu honi.
account-signup-confirm-action = Berretsi eta gunea sortu
account-signup-review-subject = Udal-alta batek zure onespena itxaroten du
account-signup-review-body = Udal batek alta berretsi du, baina operadore baten onespena behar du (posta-domeinu ez-instituzionala, edo dagoeneko gunea duen udalerria). Berrikusi kontsolan.
account-signup-review-action = Ireki kontsola
account-signup-approved-subject = Zure parte-hartze gunea onartu da
account-signup-approved-body = { $council } taldeak zure udalaren alta onartu du. Gunea sortzen ari da: jarraitu estekari prest dagoenean administratzaile gisa sartzeko.
account-signup-approved-action = Sartu nire gunean
account-signup-rejected-subject = Ezin izan dugu zure udalaren alta onartu
account-signup-rejected-body = { $council } taldeak ez du alta onartu. Udal baten ordezkaria bazara, idatzi iezaguzu posta-helbide instituzional batetik eta berriro aztertuko dugu.
account-signup-rejected-action = Joan { $council }-ra

account-billing-overdue-subject = Ordainketa zain dago: { council-of } plana
account-billing-overdue-body = Ezin izan da kobratu { council-of } parte-hartze gunearen plana. Dena funtzionatzen jarraitzen du grazia-epean; ordurako ordaindu ez bada, ezin izango da prozesu berririk hasi ezta buletinik bidali (dagoeneko irekita dagoenak amaierara arte jarraituko du eta ez da ezer ezabatzen). Fakturazio-orrian data ikusi eta ordaindu edo txartela alda dezakezu.
account-billing-overdue-action = Joan plana eta fakturaziora
account-invoice-request-subject = Udal batek fakturaren bidez ordaindu nahi du
account-invoice-request-body = Udal batek bere plana fakturaren bidez ordaintzea eskatu du. Egiaztatu haren datuak (IFZ, helbidea eta DIR3 kodeak) eta onartu edo baztertu eskaera kontsolako fakturazioan.
account-invoice-request-action = Ireki kontsolako fakturazioa
account-invoice-accepted-subject = { council-of } plana fakturaren bidez ordaintzen da orain
account-invoice-accepted-body = Eskaera onartu da: hemendik aurrera { council-of } parte-hartze gunearen plana fakturaren bidez ordaintzen da, emandako datuekin. Fakturak fakturazio-orrian agertuko dira, PDFan eta FACerako Facturae fitxategi gisa.
account-invoice-accepted-action = Joan plana eta fakturaziora
account-invoice-declined-subject = Ez da onartu fakturaren bidezko ordainketa: { council-of }
account-invoice-declined-body = Ez da onartu { council-of } parte-hartze gunearen plana fakturaren bidez ordaintzeko eskaera. Fakturazio-orrian arrazoia ikusiko duzu, eta datuak zuzendu eta berriro eska dezakezu.
account-invoice-declined-action = Ikusi arrazoia

# Meetings (to the person registered, waiting or invited).
meeting-action = Ikusi bilera
meeting-code = Zure sarrera-kodea: { $code }. Erakutsi sarreran (paperean edo mugikorrean).
meeting-registered-subject = Izen-ematea berretsita: { $title }
meeting-registered-body = Lekua duzu «{ $title }» bileran. Noiz: { $when }. Non: { $place }. Ezin baduzu etorri, utzi zure lekua bileraren orrian, beste norbaitek har dezan.
meeting-waiting-subject = Itxaron-zerrendan zaude: { $title }
meeting-waiting-body = «{ $title }» bilera ({ $when }) beteta dago; beraz, itxaron-zerrendan zaude. Norbaitek bere lekua uzten badu, zerrendako lehenarentzat izango da, eta zure txanda iristen denean idatzi egingo dizugu zure sarrera-kodearekin.
meeting-promoted-subject = Leku bat libre geratu da zuretzat: { $title }
meeting-promoted-body = Norbaitek bere lekua utzi du, eta zuretzat da. Orain lekua duzu «{ $title }» bileran. Noiz: { $when }. Non: { $place }.
meeting-invited-subject = Gonbidatuta zaude: { $title }
meeting-invited-body = «{ $title }» bilerara gonbidatuta zaude. Noiz: { $when }. Non: { $place }. Eman izena bileraren orrian, etorriko zarela berresteko.
meeting-reminder-subject = Bihar: { $title }
meeting-reminder-body = Gogorarazpena: «{ $title }» bilera. Noiz: { $when }. Non: { $place }. Azkenean ezin baduzu etorri, utzi zure lekua bileraren orrian.
meeting-changed-subject = Aldaketa: { $title }
meeting-changed-body = «{ $title }» bileraren ordua edo lekua aldatu da. Noiz: { $when }. Non: { $place }.
meeting-cancelled-subject = Bertan behera: { $title }
meeting-cancelled-body = «{ $title }» bilera ({ $when }) bertan behera utzi da. Udalak emandako arrazoia: { $reason }
