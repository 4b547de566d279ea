# The dashboard's monitoring figures (dashboard.rs): the monitoring of granted permits.
dash-mon = Monitoring of residence permits
dash-mon-figure = Figure
dash-mon-recent = Last { $days } days
dash-mon-all-time = All time
dash-mon-events = Register events received
dash-mon-opened = Alerts opened
dash-mon-confirmed = Confirmed by an official (re-examination opened)
dash-mon-dismissed = Dismissed by an official, with reasons
dash-mon-closed = Closed by themselves (the condition holds again)
dash-mon-open-now = Open now
dash-mon-median = Time to handle an alert, median (days)
dash-mon-days = Register events and alerts per day
dash-mon-day = Day
dash-mon-day-events = Register events
dash-mon-day-opened = Alerts opened
