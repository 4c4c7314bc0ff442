"""The catalogue of referenced apps ("Catalogue de services"), the connected ones, and an app's
consent screen."""
