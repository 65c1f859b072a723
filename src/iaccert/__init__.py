"""iaccert: will every API Gateway custom domain get a certificate AWS validates and renews?"""

__version__ = "0.1.0"
