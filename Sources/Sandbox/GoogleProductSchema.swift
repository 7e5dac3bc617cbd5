import Foundation

/// What the Merchant API (products v1) accepts in a `ProductInput`, from its discovery document
/// (shared/real/contracts/google-merchantapi-products-v1-discovery.json). Unknown names are refused
/// the way Google refuses them: 400 "Invalid JSON payload received. Unknown name …".
enum GoogleProductSchema {
    static let inputFields: Set<String> = [
        "name", "product", "legacyLocal", "offerId", "contentLanguage", "feedLabel", "versionNumber",
        "productAttributes", "customAttributes", "base64EncodedName", "base64EncodedProduct",
    ]

    /// Every `ProductAttributes` property of products v1. Note `size` is one string (there is no `sizes`).
    static let attributeFields: Set<String> = [
        "additionalImageLinks", "adsGrouping", "adsLabels", "adsRedirect", "adult", "ageGroup",
        "autoPricingMinPrice", "availability", "availabilityDate", "brand", "canonicalLink", "carrierShipping",
        "certifications", "cloudExportAdditionalProperties", "color", "condition", "costOfGoodsSold",
        "customLabel0", "customLabel1", "customLabel2", "customLabel3", "customLabel4", "description",
        "disclosureDate", "displayAdsId", "displayAdsLink", "displayAdsSimilarIds", "displayAdsTitle",
        "displayAdsValue", "energyEfficiencyClass", "excludedDestinations", "expirationDate", "externalSellerId",
        "freeShippingThreshold", "gender", "googleProductCategory", "gtins", "handlingCutoffTimes",
        "identifierExists", "imageLink", "includedDestinations", "installment", "isBundle", "itemGroupId",
        "lifestyleImageLinks", "link", "linkTemplate", "loyaltyPoints", "loyaltyPrograms", "material",
        "maxEnergyEfficiencyClass", "maxHandlingTime", "maximumRetailPrice", "minEnergyEfficiencyClass",
        "minHandlingTime", "minimumOrderValues", "mobileLink", "mobileLinkTemplate", "mpn", "multipack", "pattern",
        "pause", "pickupMethod", "pickupSla", "price", "productDetails", "productHeight", "productHighlights",
        "productLength", "productTypes", "productWeight", "productWidth", "promotionIds", "returnPolicyLabel",
        "salePrice", "salePriceEffectiveDate", "sellOnGoogleQuantity", "shipping", "shippingHandlingBusinessDays",
        "shippingHeight", "shippingLabel", "shippingLength", "shippingTransitBusinessDays", "shippingWeight",
        "shippingWidth", "shoppingAdsExcludedCountries", "size", "sizeSystem", "sizeTypes", "structuredDescription",
        "structuredTitle", "subscriptionCost", "sustainabilityIncentives", "title", "transitTimeLabel",
        "unitPricingBaseMeasure", "unitPricingMeasure", "videoLinks", "virtualModelLink",
    ]

    static let priceFields: Set<String> = [
        "price", "salePrice", "autoPricingMinPrice", "costOfGoodsSold",
        "maximumRetailPrice",
    ]
    static let stringListFields: Set<String> = [
        "additionalImageLinks", "gtins", "productTypes", "lifestyleImageLinks",
        "sizeTypes", "includedDestinations", "excludedDestinations",
        "promotionIds", "videoLinks", "shoppingAdsExcludedCountries",
        "displayAdsSimilarIds",
    ]
    static let stringFields: Set<String> = [
        "title", "description", "link", "imageLink", "brand", "mpn", "itemGroupId",
        "color", "size", "googleProductCategory", "material", "pattern", "gender",
        "ageGroup", "customLabel0", "customLabel1", "customLabel2", "customLabel3",
        "customLabel4", "mobileLink", "canonicalLink", "adsGrouping", "adsRedirect",
    ]
    static let availabilities: Set<String> = [
        "IN_STOCK", "OUT_OF_STOCK", "PREORDER", "LIMITED_AVAILABILITY", "BACKORDER",
    ]
    static let conditions: Set<String> = ["NEW", "USED", "REFURBISHED"]

    /// The first problem with a `ProductInput` body, as Google words it; `nil` when it is acceptable.
    static func problem(_ input: [String: JSON]) -> String? {
        if let unknown = input.keys.sorted().first(where: { !inputFields.contains($0) }) {
            return "Invalid JSON payload received. Unknown name \"\(unknown)\" at 'product_input': Cannot find field."
        }
        for field in ["offerId", "contentLanguage", "feedLabel"] {
            guard let text = input[field]?.string, !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                return "[\(field)] \(field) is required."
            }
        }
        let language = input["contentLanguage"]?.string ?? ""
        guard language.count == 2, language.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            return "[contentLanguage] \"\(language)\" is not a two-letter ISO 639-1 language code."
        }
        let label = input["feedLabel"]?.string ?? ""
        guard label.count <= 20,
            label.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "-" || $0 == "_") })
        else {
            return "[feedLabel] \"\(label)\" may hold up to 20 of A-Z, 0-9, hyphen and underscore."
        }
        if let version = input["versionNumber"], version.integer == nil {
            return "Invalid value at 'product_input.version_number' (TYPE_INT64), \(version.data.utf8String)"
        }
        if let attributes = input["productAttributes"] {
            guard let members = attributes.object else {
                return "Invalid value at 'product_input.product_attributes': expected an object"
            }
            return attributeProblem(members)
        }
        return nil
    }

    private static func attributeProblem(_ attributes: [String: JSON]) -> String? {
        for (name, value) in attributes.sorted(by: { $0.key < $1.key }) {
            let at = "'product_input.product_attributes.\(name)'"
            guard attributeFields.contains(name) else {
                return "Invalid JSON payload received. Unknown name \"\(name)\" at 'product_input.product_attributes': "
                    + "Cannot find field."
            }
            if priceFields.contains(name) {
                guard let price = value.object, let micros = price["amountMicros"], micros.integer != nil,
                    let currency = price["currencyCode"]?.string, currency.count == 3,
                    currency.allSatisfy({ $0.isASCII && $0.isUppercase })
                else {
                    return
                        "[\(name)] Invalid value at \(at): a Price needs amountMicros (int64) and currencyCode (ISO 4217)."
                }
            } else if stringListFields.contains(name) {
                guard let list = value.array, list.allSatisfy({ $0.string != nil }) else {
                    return "Invalid value at \(at): expected a list of strings, got \(value.typeName)."
                }
            } else if stringFields.contains(name) {
                guard value.string != nil else { return "Invalid value at \(at) (TYPE_STRING), got \(value.typeName)." }
            }
            switch name {
            case "availability":
                guard let text = value.string, availabilities.contains(text) else {
                    return
                        "Invalid value at \(at) (type.googleapis.com/google.shopping.merchant.products.v1.Availability), "
                        + value.data.utf8String
                }
            case "condition":
                guard let text = value.string, conditions.contains(text) else {
                    return
                        "Invalid value at \(at) (type.googleapis.com/google.shopping.merchant.products.v1.Condition), "
                        + value.data.utf8String
                }
            case "sellOnGoogleQuantity":
                guard value.integer != nil else {
                    return "Invalid value at \(at) (TYPE_INT64), \(value.data.utf8String)"
                }
            case "salePriceEffectiveDate":
                guard let interval = value.object, interval.keys.allSatisfy({ ["startTime", "endTime"].contains($0) }),
                    interval.values.allSatisfy({ $0.string.flatMap(parseTimestamp) != nil })
                else {
                    return "Invalid value at \(at): an Interval of RFC 3339 startTime and endTime."
                }
            default:
                break
            }
        }
        return nil
    }

    /// RFC 3339 with or without fractional seconds (`2024-11-29T00:00:00+01:00`).
    static func parseTimestamp(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}

extension Data {
    var utf8String: String { String(decoding: self, as: UTF8.self) }
}
