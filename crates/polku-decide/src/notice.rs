//! What an automated decision must say about itself.

/// Administrative Procedure Act 53 g §: an automated decision says so.
pub fn automated_notice(lang: polku_rules::Lang) -> &'static str {
    match lang {
        polku_rules::Lang::Fi => {
            "Asia on käsitelty automaattisesti (hallintolaki 53 g §). Voit pyytää maksutta oikaisua; sen käsittelee aina virkailija."
        }
        polku_rules::Lang::Sv => {
            "Ärendet har behandlats automatiskt (förvaltningslagen 53 g §). Du kan avgiftsfritt begära omprövning; den behandlas alltid av en handläggare."
        }
        polku_rules::Lang::En => {
            "This matter was processed automatically (Administrative Procedure Act 53 g §). You may ask for rectification free of charge; a person always handles it."
        }
    }
}
