# The purposes the use log records, in the reader's language (the log stores them in English).
purpose-the-applicant-lists-their-own-cases-e-service = sökanden ser sina egna ärenden (e-tjänsten)
purpose-the-applicant-reads-their-own-case-e-service = sökanden läser sitt eget ärende (e-tjänsten)
purpose-case-handling = handläggning av ärendet
purpose-cases-waiting-for-a-person-listed-for-handling = ärenden som väntar på en handläggare listade för handläggning
purpose-knowledge-based-management-aggregates = kunskapsbaserad ledning (sammanställningar)
purpose-monitoring-alert-read-for-handling = övervakningslarm läst för handläggning
purpose-monitoring-alerts-listed-for-handling = övervakningslarm listade för handläggning
purpose-re-examination-the-permit-holder-s-answers-read-for-handling = omprövning: tillståndshavarens svar lästa för handläggning
purpose-repeated-failed-sign-in = upprepad misslyckad inloggning
purpose-audit-of-the-logs = granskning av loggarna
purpose-automated-processing-of-an-application = automatisk behandling av en ansökan
purpose-labour-exploitation-indicators-recorded-for-labour-inspectors = indikatorer på arbetskraftsexploatering registrerade för arbetarskyddsinspektörer
purpose-labour-exploitation-indicators-for-a-labour-inspector = indikatorer på arbetskraftsexploatering för en arbetarskyddsinspektör
purpose-monitoring-of-residence-permit-conditions-ulkl-58 = övervakning av villkoren för uppehållstillstånd (UtlL 58 §)
purpose-dry-run-of-a-monitoring-rule-proposal = provkörning av ett förslag till övervakningsregler
purpose-evidence-for-case = utredning för ärende { $case } ({ $matter })
purpose-preview-of = förhandskontroll på personens egen begäran: { $matter } (e-tjänsten)
