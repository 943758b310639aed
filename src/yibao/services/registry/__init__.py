"""The registry's use cases: persons and households, their coverage history, enrollments
and corrections, newborn pre-registrations, back-payment applications, a registered
person's quote, a resident's own look-up, counts and lifecycle jobs."""
