"""A bureau's yearly runs over the whole registry, built on the services and the batch
engine: the renewal (``renewal/``), channel reconciliation (``reconcile/``), reports
(``reports/``) and what-if reforms (``reform/``)."""
