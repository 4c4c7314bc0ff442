"""A parent's minor children ("Mes enfants"): activating or refusing a child's space, the space
switcher with its band on every screen, and the growth charts."""
