// `Role`, `StringFormat` and `FilterOperator` are defined once, in TrellisVocabulary, for the spec language and the
// runtime alike; a module that imports TrellisSpec sees them too.
@_exported import TrellisVocabulary
