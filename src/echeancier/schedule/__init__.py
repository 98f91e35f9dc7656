"""The échéancier: calendar of due dates and debit dates, instalments, and the schedule built from them."""
