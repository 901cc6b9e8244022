"""Pure, synchronous clinical core and dialogs: no Telegram, no network, no disk writes."""
