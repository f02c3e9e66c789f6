"""Kafka for Tsunagu: the referral relay (from the notification log) and the clients' configuration."""
