/// Every message idbatch writes into an output file for a person to read. The text of each is in
/// the per-language tables (`Messages+English.swift`, `+Spanish`, `+Portuguese`); a test fails when
/// a table lacks one or uses other placeholders than English.
public enum MessageKey: String, Sendable, CaseIterable, Codable {
    // Row validation.
    case dateIsNumber, dateUnreadable, dateAmbiguous, dateNotReal, dateParts
    case countryNotChecked, countryMissing, addressCountryInvalid
    case documentTypeUnknown, documentTypeUnknownIn, documentTypeEmpty
    case typeUnknownNone, typeUnknown, checkNotOffered
    case needsEmpty, needsNoColumn, needsEmptyAlone, needsNoColumnAlone
    case continuousNeedsBoth, endDateNotAfterToday
    case consentRefused, consentMissing
    case phoneInvalid, emailInvalid, booleanInvalid, frequencyInvalid, valueNotAllowed
    case accountIDInvalid, phoneNoCountry, phoneMissing
    case precisionLost, noLettersOrDigits, duplicateRow, emptyRow
    // ID rules.
    case idEmpty, idLeadingZerosLost
    case rutLength, rutCharacters, rutCheckDigit
    case cpfCharacters, cpfLength, cpfRepeated, cpfCheckDigits
    case cnpjLength, cnpjCharacters, cnpjRepeated, cnpjCheckDigits
    case curpLength, curpStructure, curpDate, curpCharacter, curpCheckDigit
    case rfcLength, rfcStructure, rfcDate, rfcCheckDigit
    case nitCharacters, nitLength, nitCheckDigit
    case cedulaCharacters, cedulaLength
    case dniLength, dniCharacters, dniCheckCharacter
    // The run pipeline.
    case notSent, dryRunValid, stoppedInterrupted, stoppedCircuitOpen, stoppedCredentials, stoppedRateLimited
    case resultPending, askLinkAgain, batchRunning, batchNotStarted, batchNotStartedBecause
    case truliooOutcomeUnknown, truoraOutcomeUnknown, initInFlight
    case noTruoraClient, noTruliooClient, checkError, providerFailed, signedURLFailed
    case checkNotFound, profileNotFound
    case processPending, linkOutcomeUnknown, messageOutcomeUnknown, callInFlight, processNotFound, processNotNamed
    case processWaiting, elementUnfilled, sessionOutcomeUnknown, answerUnexpected
    case batchUploadExpired, batchRefused, batchFailed, batchStopped, batchNoLine, batchOtherID, batchRowRefused
    case noReasonGiven
    case pdfNotWritten, pdfPending, pdfFailed, continuousFailed
}
