# The purposes the use log records, in the reader's language (the log stores them in English).
purpose-the-applicant-lists-their-own-cases-e-service = hakija katsoo omia asioitaan (asiointipalvelu)
purpose-the-applicant-reads-their-own-case-e-service = hakija lukee omaa asiaansa (asiointipalvelu)
purpose-case-handling = asian käsittely
purpose-cases-waiting-for-a-person-listed-for-handling = virkailijaa odottavat asiat listattu käsittelyä varten
purpose-knowledge-based-management-aggregates = tietojohtaminen (koosteet)
purpose-monitoring-alert-read-for-handling = valvontahälytys luettu käsittelyä varten
purpose-monitoring-alerts-listed-for-handling = valvontahälytykset listattu käsittelyä varten
purpose-re-examination-the-permit-holder-s-answers-read-for-handling = uudelleenarviointi: luvanhaltijan vastaukset luettu käsittelyä varten
purpose-repeated-failed-sign-in = toistuva epäonnistunut kirjautuminen
purpose-audit-of-the-logs = lokien tarkastus
purpose-automated-processing-of-an-application = hakemuksen automaattinen käsittely
purpose-labour-exploitation-indicators-recorded-for-labour-inspectors = työperäisen hyväksikäytön tunnusmerkit kirjattu työsuojelutarkastajille
purpose-labour-exploitation-indicators-for-a-labour-inspector = työperäisen hyväksikäytön tunnusmerkit työsuojelutarkastajalle
purpose-monitoring-of-residence-permit-conditions-ulkl-58 = oleskeluluvan edellytysten valvonta (UlkL 58 §)
purpose-dry-run-of-a-monitoring-rule-proposal = valvontasääntöehdotuksen koeajo
purpose-evidence-for-case = hakemuksen { $case } selvitys ({ $matter })
purpose-preview-of = ennakkotarkistus henkilön omasta pyynnöstä: { $matter } (asiointipalvelu)
