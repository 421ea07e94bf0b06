"""Web areas and products. PRODUCTS is the one list of installed products (see core/product.py)."""
from hamyan.blueprints.cashbox import PRODUCT as CASHBOX
from hamyan.blueprints.moneypool import PRODUCT as MONEYPOOL
from hamyan.blueprints.aptbox import PRODUCT as APTBOX
from hamyan.blueprints.rosca import PRODUCT as ROSCA

PRODUCTS = (CASHBOX, MONEYPOOL, APTBOX, ROSCA)


def product(kind: str):
    """The descriptor of a box kind, or None when that product is not installed."""
    return next((p for p in PRODUCTS if p.kind == kind), None)
