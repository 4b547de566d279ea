# The purposes the use log records (stored in English, shown as stored).
purpose-the-applicant-lists-their-own-cases-e-service = the applicant lists their own cases (e-service)
purpose-the-applicant-reads-their-own-case-e-service = the applicant reads their own case (e-service)
purpose-case-handling = case handling
purpose-cases-waiting-for-a-person-listed-for-handling = cases waiting for a person listed for handling
purpose-knowledge-based-management-aggregates = knowledge-based management (aggregates)
purpose-monitoring-alert-read-for-handling = monitoring alert read for handling
purpose-monitoring-alerts-listed-for-handling = monitoring alerts listed for handling
purpose-re-examination-the-permit-holder-s-answers-read-for-handling = re-examination: the permit holder's answers read for handling
purpose-repeated-failed-sign-in = repeated failed sign-in
purpose-audit-of-the-logs = audit of the logs
purpose-automated-processing-of-an-application = automated processing of an application
purpose-labour-exploitation-indicators-recorded-for-labour-inspectors = labour-exploitation indicators recorded for labour inspectors
purpose-labour-exploitation-indicators-for-a-labour-inspector = labour-exploitation indicators for a labour inspector
purpose-monitoring-of-residence-permit-conditions-ulkl-58 = monitoring of residence permit conditions (UlkL 58 §)
purpose-dry-run-of-a-monitoring-rule-proposal = dry run of a monitoring rule proposal
purpose-evidence-for-case = evidence for case { $case } ({ $matter })
purpose-preview-of = eligibility preview at the person's own request: { $matter } (e-service)
