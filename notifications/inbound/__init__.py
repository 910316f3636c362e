"""What comes back to the city: email replies (replies), text messages (sms, with the provider's
side in twilio) and the text-message report conversation (sms_report)."""
