"""Wire schemas of the minors' spaces a parent acts on (header `X-Space: <child id>`)."""

from datetime import date

from pydantic import BaseModel

from sync.protocol.schemas import SpaceStatus

SPACE_HEADER = "X-Space"
COLOURS = 6  # the app's palette of child colours


class ChildOut(BaseModel):
    """One child's space as their parent sees it in the profile switcher."""

    id: str
    first_name: str
    last_name: str
    birth_date: date
    status: SpaceStatus
    age_years: int
    colour: int  # 0..5, stable for the child
    can_act: bool  # an active space the parent may act on now


class ChildName(BaseModel):
    """The answer to a parent's check of the child's identifiers: "the space of Léa?"."""

    first_name: str
    status: SpaceStatus
