# The dashboard's monitoring figures (dashboard.rs): the monitoring of granted permits.
dash-mon = Efterhandskontroll av uppehållstillstånd
dash-mon-figure = Uppgift
dash-mon-recent = Senaste { $days } dagarna
dash-mon-all-time = Totalt
dash-mon-events = Meddelanden från register mottagna
dash-mon-opened = Larm öppnade
dash-mon-confirmed = Bekräftade av en handläggare (ny prövning inledd)
dash-mon-dismissed = Avfärdade av en handläggare med motivering
dash-mon-closed = Stängdes av sig själva (villkoret uppfylls igen)
dash-mon-open-now = Öppna nu
dash-mon-median = Handläggningstid för ett larm, median (dagar)
dash-mon-days = Meddelanden från register och larm per dag
dash-mon-day = Dag
dash-mon-day-events = Meddelanden
dash-mon-day-opened = Larm öppnade
