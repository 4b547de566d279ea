# The dashboard's monitoring figures (dashboard.rs): the monitoring of granted permits.
dash-mon = Oleskelulupien jälkivalvonta
dash-mon-figure = Luku
dash-mon-recent = Viimeiset { $days } päivää
dash-mon-all-time = Kaikkiaan
dash-mon-events = Rekisterien ilmoituksia vastaanotettu
dash-mon-opened = Hälytyksiä avattu
dash-mon-confirmed = Virkailija vahvisti (uudelleenarviointi avattiin)
dash-mon-dismissed = Virkailija hylkäsi perustellen
dash-mon-closed = Sulkeutui itsestään (edellytys täyttyy taas)
dash-mon-open-now = Avoinna nyt
dash-mon-median = Hälytyksen käsittelyaika, mediaani (päivää)
dash-mon-days = Rekisterien ilmoitukset ja hälytykset päivittäin
dash-mon-day = Päivä
dash-mon-day-events = Ilmoituksia
dash-mon-day-opened = Hälytyksiä avattu
